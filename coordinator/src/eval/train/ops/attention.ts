import { detExp } from "./detMath.js";

/** Shapes of one grouped-query attention: q has `heads` heads, k/v `kvHeads`, each `headDim` wide. */
export interface AttentionShape {
  rows: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * Causal softmax attention with grouped-query heads (head h reads kv head ⌊h / (heads/kvHeads)⌋,
 * as ggml broadcasts). Writes `out` (rows × heads·headDim) and keeps the probabilities
 * `probs[(h·rows + t)·rows + j]` for j ≤ t for the backward pass.
 */
export function attentionForward(
  out: Float64Array,
  probs: Float64Array,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  s: AttentionShape,
): void {
  const { rows: T, heads, kvHeads, headDim: hd } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(hd);
  const qStride = heads * hd;
  const kvStride = kvHeads * hd;
  for (let h = 0; h < heads; h++) {
    const g = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      const qo = t * qStride + h * hd;
      const po = (h * T + t) * T;
      let max = -Infinity;
      for (let j = 0; j <= t; j++) {
        const ko = j * kvStride + g * hd;
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += q[qo + i] * k[ko + i];
        const sc = dot * scale;
        probs[po + j] = sc;
        if (sc > max) max = sc;
      }
      let sum = 0;
      for (let j = 0; j <= t; j++) {
        const e = detExp(probs[po + j] - max);
        probs[po + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      const oo = t * qStride + h * hd;
      for (let i = 0; i < hd; i++) out[oo + i] = 0;
      for (let j = 0; j <= t; j++) {
        const p = probs[po + j] * inv;
        probs[po + j] = p;
        const vo = j * kvStride + g * hd;
        for (let i = 0; i < hd; i++) out[oo + i] += p * v[vo + i];
      }
    }
  }
}

/**
 * Gradients of attentionForward: dq, dk, dv are overwritten. Heads and rows are visited in a fixed
 * order, so the sums into the shared kv heads are reproducible.
 * dS_tj = p_tj·(dP_tj − Σ_k p_tk·dP_tk) with dP_tj = dOut_t·v_j.
 */
export function attentionBackward(
  dq: Float64Array,
  dk: Float64Array,
  dv: Float64Array,
  dOut: Float64Array,
  probs: Float64Array,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  dScratch: Float64Array,
  s: AttentionShape,
): void {
  const { rows: T, heads, kvHeads, headDim: hd } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(hd);
  const qStride = heads * hd;
  const kvStride = kvHeads * hd;
  dq.fill(0, 0, T * qStride);
  dk.fill(0, 0, T * kvStride);
  dv.fill(0, 0, T * kvStride);
  for (let h = 0; h < heads; h++) {
    const g = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      const oo = t * qStride + h * hd;
      const po = (h * T + t) * T;
      let dot = 0;
      for (let j = 0; j <= t; j++) {
        const vo = j * kvStride + g * hd;
        let dp = 0;
        for (let i = 0; i < hd; i++) dp += dOut[oo + i] * v[vo + i];
        dScratch[j] = dp;
        dot += probs[po + j] * dp;
        const p = probs[po + j];
        for (let i = 0; i < hd; i++) dv[vo + i] += p * dOut[oo + i];
      }
      for (let j = 0; j <= t; j++) {
        const ds = probs[po + j] * (dScratch[j] - dot) * scale;
        const ko = j * kvStride + g * hd;
        for (let i = 0; i < hd; i++) {
          dq[oo + i] += ds * k[ko + i];
          dk[ko + i] += ds * q[oo + i];
        }
      }
    }
  }
}
