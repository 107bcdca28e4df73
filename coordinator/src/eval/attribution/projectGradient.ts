import { EstimatorParameterError } from "./errors.js";

/** A seeded random projection of gradients (one Float64Array per parameter, concatenated) to `dim` numbers. */
export interface GradientProjection {
  dim: number;
  seed: string | number;
  project(grads: readonly Float64Array[]): Float64Array;
}

function hashSeed(seed: string | number): number {
  const text = `ingotforge/gradient-projection/v1/${typeof seed}:${seed}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A 32-bit integer mix (murmur3's finalizer) of the seed and a coordinate index. */
function mix(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index, 0x9e3779b1)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A sparse Rademacher projection (CountSketch, the s = 1 sparse Johnson–Lindenstrauss transform):
 * coordinate i of the concatenated gradient is added, with sign ±1, to output `bucket(i)`; bucket
 * and sign come from a 32-bit hash of (seed, i), computed on the fly, so nothing of size
 * (parameters × dim) is ever stored and any machine gets the same matrix. ⟨Px, Py⟩ is an unbiased
 * estimate of ⟨x, y⟩ with variance (‖x‖²‖y‖² + ⟨x, y⟩² − 2Σxᵢ²yᵢ²)/dim, at one addition per
 * coordinate (a dense ±1/√dim matrix costs dim per coordinate for the same variance).
 * Deterministic: float64 sums in coordinate order.
 */
export function createGradientProjection(params: { seed: string | number; dim: number }): GradientProjection {
  const { dim } = params;
  if (!Number.isInteger(dim) || dim < 1 || dim > 2 ** 24) throw new EstimatorParameterError(`projection dimension must be an integer in 1 … 2^24, got ${dim}`);
  const seed = hashSeed(params.seed);
  return {
    dim,
    seed: params.seed,
    project(grads) {
      const out = new Float64Array(dim);
      let index = 0;
      for (const g of grads) {
        for (let i = 0; i < g.length; i++, index++) {
          const h = mix(seed, index);
          const bucket = (h & 0x7fffffff) % dim;
          if (h & 0x80000000) out[bucket] -= g[i];
          else out[bucket] += g[i];
        }
      }
      return out;
    },
  };
}
