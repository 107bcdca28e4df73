import { merkleLeafHash } from "./merkleLeafHash.js";
import { merkleNodeHash } from "./merkleNodeHash.js";
import { WitnessInputError } from "./errors.js";
import type { MerklePathStep } from "./types.js";

export interface MerkleTree {
  /** 64 lowercase hex digits. */
  root: string;
  /** The inclusion path of each leaf, in the order given. */
  paths: MerklePathStep[][];
}

/**
 * RFC 6962's Merkle tree hash over the chain hashes (in order): leaves `merkleLeafHash`, nodes
 * `merkleNodeHash`, a list of n > 1 split at the largest power of two below n, so the shape (and
 * so the root) is fixed by the leaf count and a lone node is never paired with itself.
 *
 * @throws WitnessInputError for an empty list or a chain hash that is not 64 lowercase hex digits.
 */
export function buildMerkleTree(chainHashes: readonly string[]): MerkleTree {
  if (chainHashes.length === 0) throw new WitnessInputError("chainHashes", chainHashes, "empty", "a batch holds at least one proof");
  const leaves = chainHashes.map(merkleLeafHash);
  const paths: MerklePathStep[][] = leaves.map(() => []);
  const build = (from: number, to: number): string => {
    if (to - from === 1) return leaves[from]!;
    let k = 1;
    while (k * 2 < to - from) k *= 2;
    const left = build(from, from + k);
    const right = build(from + k, to);
    for (let i = from; i < from + k; i++) paths[i]!.push({ side: "right", hash: right });
    for (let i = from + k; i < to; i++) paths[i]!.push({ side: "left", hash: left });
    return merkleNodeHash(left, right);
  };
  return { root: build(0, leaves.length), paths };
}
