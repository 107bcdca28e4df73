import { detExp } from "./detMath.js";
import { gemmNT } from "./gemmNT.js";

/** Shapes of one grouped-query attention: q has `heads` heads, k/v `kvHeads`, each `headDim` wide. */
export interface AttentionShape {
  rows: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** Scratch for attention: three rows×rows matrices and headDim×rows transposes, sized for `maxRows`. */
export interface AttentionScratch {
  ds: Float64Array;
  dsT: Float64Array;
  pT: Float64Array;
  kT: Float64Array;
  vT: Float64Array;
  qT: Float64Array;
  dOutT: Float64Array;
}

export function createAttentionScratch(maxRows: number, headDim: number): AttentionScratch {
  const sq = maxRows * maxRows;
  const hr = maxRows * headDim;
  return {
    ds: new Float64Array(sq),
    dsT: new Float64Array(sq),
    pT: new Float64Array(sq),
    kT: new Float64Array(hr),
    vT: new Float64Array(hr),
    qT: new Float64Array(hr),
    dOutT: new Float64Array(hr),
  };
}

/** dst (headDim×rows) = the head slice [off, off+headDim) of every row of src (row stride `stride`), transposed. */
function headTranspose(dst: Float64Array, src: Float64Array, rows: number, stride: number, off: number, hd: number): void {
  for (let t = 0; t < rows; t++) {
    const s = t * stride + off;
    for (let i = 0; i < hd; i++) dst[i * rows + t] = src[s + i];
  }
}

/** dst = srcᵀ for a rows×rows matrix starting at srcOffset. */
function squareTranspose(dst: Float64Array, src: Float64Array, srcOffset: number, rows: number): void {
  for (let t = 0; t < rows; t++) {
    const s = srcOffset + t * rows;
    for (let j = 0; j < rows; j++) dst[j * rows + t] = src[s + j];
  }
}

// Each head's products run over the whole rows×rows square (one call each, on the SIMD kernel),
// with exact zeros above the diagonal: the extra terms add +0 or −0 to a partial sum, which
// leaves every result bit unchanged, and one big product is cheaper than many causal pieces.

/**
 * Causal softmax attention with grouped-query heads (head h reads kv head ⌊h / (heads/kvHeads)⌋,
 * as ggml broadcasts), scores scaled by 1/√headDim. Writes `out` (rows × heads·headDim) and keeps
 * the probabilities `probs[(h·rows + t)·rows + j]` (exactly zero above the diagonal) for the backward pass.
 */
export function attentionForward(
  out: Float64Array,
  probs: Float64Array,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  s: AttentionShape,
  scratch: AttentionScratch,
): void {
  const { rows: T, heads, kvHeads, headDim: hd } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(hd);
  const qStride = heads * hd;
  const kvStride = kvHeads * hd;
  const vT = scratch.vT;
  for (let h = 0; h < heads; h++) {
    const g = Math.floor(h / group);
    const pBase = h * T * T;
    gemmNT(probs, q, k, T, T, hd, false, pBase, h * hd, g * hd, T, qStride, kvStride);
    for (let t = 0; t < T; t++) {
      const po = pBase + t * T;
      let max = -Infinity;
      for (let j = 0; j <= t; j++) {
        const sc = probs[po + j] * scale;
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
      for (let j = 0; j <= t; j++) probs[po + j] *= inv;
      probs.fill(0, po + t + 1, po + T);
    }
    if (h % group === 0) headTranspose(vT, v, T, kvStride, g * hd, hd);
    gemmNT(out, probs, vT, T, hd, T, false, h * hd, pBase, 0, qStride, T, T);
  }
}

/**
 * Gradients of attentionForward; dq, dk, dv are overwritten. dS_tj = p_tj·(dP_tj − Σ_k p_tk·dP_tk)/√d
 * with dP_tj = dOut_t·v_j; dq = dS·K, dk = Σ_heads dSᵀ·Q, dv = Σ_heads Pᵀ·dOut. Heads of a kv group
 * add into dk/dv in increasing order, so the result is reproducible.
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
  s: AttentionShape,
  scratch: AttentionScratch,
): void {
  const { rows: T, heads, kvHeads, headDim: hd } = s;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(hd);
  const qStride = heads * hd;
  const kvStride = kvHeads * hd;
  const { ds, dsT, pT, kT, qT, dOutT } = scratch;
  dk.fill(0, 0, T * kvStride);
  dv.fill(0, 0, T * kvStride);
  for (let h = 0; h < heads; h++) {
    const g = Math.floor(h / group);
    const pBase = h * T * T;
    gemmNT(ds, dOut, v, T, T, hd, false, 0, h * hd, g * hd, T, qStride, kvStride);
    for (let t = 0; t < T; t++) {
      const po = pBase + t * T;
      const ro = t * T;
      let dot = 0;
      for (let j = 0; j <= t; j++) dot += probs[po + j] * ds[ro + j];
      for (let j = 0; j <= t; j++) ds[ro + j] = probs[po + j] * (ds[ro + j] - dot) * scale;
      ds.fill(0, ro + t + 1, ro + T);
    }
    if (h % group === 0) headTranspose(kT, k, T, kvStride, g * hd, hd);
    gemmNT(dq, ds, kT, T, hd, T, false, h * hd, 0, 0, qStride, T, T);
    squareTranspose(dsT, ds, 0, T);
    squareTranspose(pT, probs, pBase, T);
    headTranspose(qT, q, T, qStride, h * hd, hd);
    headTranspose(dOutT, dOut, T, qStride, h * hd, hd);
    gemmNT(dk, dsT, qT, T, hd, T, true, g * hd, 0, 0, kvStride, T, T);
    gemmNT(dv, pT, dOutT, T, hd, T, true, g * hd, 0, 0, kvStride, T, T);
  }
}
