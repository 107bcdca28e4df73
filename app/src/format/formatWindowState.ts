import { formatDuration } from "./formatDuration.js";

/**
 * The contribution window in words, from chain time (not the browser's clock, which a local chain
 * moved forward would contradict): "opens in 2 h", "closes in 3 d", "Contribution window elapsed".
 */
export function formatWindowState(now: bigint, windowStart: bigint, windowEnd: bigint): string {
  if (now < windowStart) return `opens in ${formatDuration(windowStart - now)}`;
  if (now < windowEnd) return `closes in ${formatDuration(windowEnd - now)}`;
  return "Contribution window elapsed";
}
