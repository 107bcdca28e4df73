import type { BlockRange } from "./types.js";

/** Default largest block range per log request: public RPC nodes commonly refuse more. */
export const DEFAULT_MAX_BLOCK_SPAN = 5_000n;

/**
 * Split an inclusive block range into consecutive ranges of at most `maxSpan` blocks, in order
 * (none when `fromBlock > toBlock`), so a long catch-up reads logs in requests a node accepts.
 */
export function blockSpans(range: BlockRange, maxSpan: bigint = DEFAULT_MAX_BLOCK_SPAN): BlockRange[] {
  if (maxSpan < 1n) throw new RangeError(`maxSpan must be at least 1 block, got ${maxSpan}`);
  const spans: BlockRange[] = [];
  for (let from = range.fromBlock; from <= range.toBlock; from += maxSpan) {
    const to = from + maxSpan - 1n;
    spans.push({ fromBlock: from, toBlock: to < range.toBlock ? to : range.toBlock });
  }
  return spans;
}
