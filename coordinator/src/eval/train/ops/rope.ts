import { detPow, detSinCos } from "./detMath.js";

/** cos/sin of every (position, frequency) pair: `cos[p·half + i]`, angle p·θ^(−2i/headDim). */
export interface RopeTable {
  half: number;
  positions: number;
  cos: Float64Array;
  sin: Float64Array;
}

export function createRopeTable(positions: number, headDim: number, theta: number): RopeTable {
  const half = headDim / 2;
  const cos = new Float64Array(positions * half);
  const sin = new Float64Array(positions * half);
  const freq = new Float64Array(half);
  for (let i = 0; i < half; i++) freq[i] = detPow(theta, (-2 * i) / headDim);
  const sc = { sin: 0, cos: 0 };
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      detSinCos(p * freq[i], sc);
      cos[p * half + i] = sc.cos;
      sin[p * half + i] = sc.sin;
    }
  }
  return { half, positions, cos, sin };
}

/**
 * NEOX-style rotary embedding in place (llama.cpp `LLAMA_ROPE_TYPE_NEOX`, used by qwen2): within
 * each head, the pair (i, i + headDim/2) is rotated by the angle of frequency i.
 * x holds `rows` positions of `heads` heads of `2·half` values each. `inverse` applies the
 * transpose (rotation by −angle), which is the backward pass.
 */
export function applyRope(x: Float64Array, table: RopeTable, rows: number, heads: number, inverse: boolean): void {
  const half = table.half;
  const hd = 2 * half;
  const sign = inverse ? -1 : 1;
  for (let p = 0; p < rows; p++) {
    const to = p * half;
    for (let h = 0; h < heads; h++) {
      const o = (p * heads + h) * hd;
      for (let i = 0; i < half; i++) {
        const c = table.cos[to + i];
        const s = sign * table.sin[to + i];
        const x0 = x[o + i];
        const x1 = x[o + i + half];
        x[o + i] = x0 * c - x1 * s;
        x[o + i + half] = x0 * s + x1 * c;
      }
    }
  }
}
