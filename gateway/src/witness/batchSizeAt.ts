/** The batching policy of `createProofBatcher` (and `witness` in the config). */
export interface BatchPolicy {
  intervalMs: number;
  minProofs: number;
  maxDelayMs: number;
  maxProofs: number;
}

/**
 * How many proofs a batch closes with when calls come steadily at `callsPerSecond` under
 * `policy`: those that came by `intervalMs` after the first, if they are `minProofs` or more;
 * else `minProofs`, or those that came by `maxDelayMs`, whichever is fewer; never more than
 * `maxProofs`. A batch costs the gateway about the same whatever its size (one tree, one TSA
 * request, one store), so its cost per call is that cost over this size (the benchmark measures
 * both at several loads).
 */
export function batchSizeAt(callsPerSecond: number, policy: BatchPolicy): number {
  if (!(callsPerSecond > 0)) throw new RangeError(`callsPerSecond must be positive, got ${callsPerSecond}`);
  const cameBy = (ms: number) => 1 + Math.floor((callsPerSecond * ms) / 1000 + 1e-9);
  let n = cameBy(policy.intervalMs);
  if (n < policy.minProofs) n = Math.min(policy.minProofs, cameBy(Math.max(policy.maxDelayMs, policy.intervalMs)));
  return Math.min(n, policy.maxProofs);
}
