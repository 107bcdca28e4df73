import { blockSpans } from "./blockSpans.js";
import { toGatewayChainError } from "./errors.js";
import type { BlockRange } from "./types.js";

/**
 * Read an inclusive block range in consecutive spans of at most `maxBlockSpan` blocks (none when
 * `fromBlock > toBlock`), concatenating what `readSpan` returns for each in order. Any failure is
 * rethrown as a GatewayChainError naming `what` (retryable when the RPC failed).
 */
export async function readLogsInSpans<T>(range: BlockRange & { maxBlockSpan?: bigint }, what: string, readSpan: (span: BlockRange) => Promise<T[]>): Promise<T[]> {
  try {
    const records: T[] = [];
    for (const span of blockSpans(range, range.maxBlockSpan)) records.push(...(await readSpan(span)));
    return records;
  } catch (error) {
    throw toGatewayChainError(what, error);
  }
}
