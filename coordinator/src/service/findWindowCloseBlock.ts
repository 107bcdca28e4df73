import type { Block, Hash, PublicClient } from "viem";
import { ServiceError } from "./errors.js";

export interface FindWindowCloseBlockParameters {
  publicClient: Pick<PublicClient, "getBlock">;
  windowEnd: bigint;
  /** A block known to be at or after windowEnd (e.g. the confirmed head the Forge was seen Closed at). */
  upTo: bigint;
}

export interface FindWindowCloseBlockReturnType {
  number: bigint;
  hash: Hash;
  timestamp: bigint;
}

/**
 * The first block whose timestamp is at or after `windowEnd`: its hash is the Forge's public seed.
 * Fixed by the chain once the window closes, the same for every coordinator and replayer, and
 * unknown to anyone before then (so workers cannot predict which jobs will be audited).
 * Binary search: block timestamps never decrease.
 */
export async function findWindowCloseBlock(p: FindWindowCloseBlockParameters): Promise<FindWindowCloseBlockReturnType> {
  const at = (n: bigint) => p.publicClient.getBlock({ blockNumber: n }) as Promise<Block<bigint, false, "latest">>;
  const top = await at(p.upTo);
  if (top.timestamp < p.windowEnd) {
    throw new ServiceError(`Block ${p.upTo} (time ${top.timestamp}) is before the window end ${p.windowEnd}; the window has not closed there.`);
  }
  let lo = 0n;
  let hi = p.upTo;
  let found = top;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    const block = await at(mid);
    if (block.timestamp >= p.windowEnd) {
      hi = mid;
      found = block;
    } else {
      lo = mid + 1n;
    }
  }
  if (found.number !== hi) found = await at(hi);
  return { number: found.number, hash: found.hash, timestamp: found.timestamp };
}
