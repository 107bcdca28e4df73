import { merkleLeafHash } from "./merkleLeafHash.js";
import { merkleNodeHash } from "./merkleNodeHash.js";
import type { MerklePathStep } from "./types.js";

/**
 * The root an inclusion path leads to from a proof's chain hash: the leaf hash, then for each
 * step `merkleNodeHash(step.hash, h)` when the sibling is on the left, `merkleNodeHash(h,
 * step.hash)` when on the right. Equal to the batch root exactly when the proof is in the batch.
 */
export function rootFromPath(chainHashHex: string, path: readonly MerklePathStep[]): string {
  let h = merkleLeafHash(chainHashHex);
  for (const step of path) h = step.side === "left" ? merkleNodeHash(step.hash, h) : merkleNodeHash(h, step.hash);
  return h;
}
