import { createPrng } from "../../util/prng.js";
import { fmix32 } from "./exampleShingles.js";
import { NEAR_DUPLICATE_RULE } from "./nearDuplicateRule.js";

/**
 * MinHash signature of a shingle set: for each of `hashes` seeded hash functions, the least hash
 * over the set. Two sets agree at a position with probability equal to their Jaccard similarity.
 * Hash function i is fmix32((g1 + i·g2) ⊕ salt_i) on two 32-bit mixes g1, g2 of the shingle
 * (double hashing), the salts drawn from `createPrng(seed)`: the same on every machine. An empty
 * set has every position at 2³² − 1.
 */
export function minHashSignature(
  shingles: Float64Array,
  params: { hashes?: number; seed?: string } = {},
): Uint32Array {
  const k = params.hashes ?? NEAR_DUPLICATE_RULE.hashes;
  const seed = params.seed ?? NEAR_DUPLICATE_RULE.seed;
  const prng = createPrng(seed);
  const salts = Uint32Array.from({ length: k }, () => prng.nextUint32());
  const signature = new Uint32Array(k).fill(0xffffffff);
  for (const x of shingles) {
    const lo = x % 0x100000000;
    const hi = Math.floor(x / 0x100000000);
    const g1 = fmix32(lo ^ fmix32(hi));
    const g2 = fmix32(hi ^ 0x6a09e667 ^ lo) | 1;
    for (let i = 0; i < k; i++) {
      const h = fmix32(((g1 + Math.imul(i, g2)) ^ salts[i]) >>> 0);
      if (h < signature[i]) signature[i] = h;
    }
  }
  return signature;
}
