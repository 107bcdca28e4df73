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

// Rows are processed in blocks of 4 (gemmNT's row blocking); a block's products run over the
// columns up to the block's end, so entries just above the diagonal inside a block are computed
// and then zeroed, and nothing further right is touched.
const BLOCK = 4;
const blockEnd = (t: number, rows: number) => Math.min(rows, (Math.floor(t / BLOCK) + 1) * BLOCK);

/** dst (headDim×rows) = the head slice [off, off+headDim) of every row of src (row stride `stride`), transposed. */
function headTranspose(dst: Float64Array, src: Float64Array, rows: number, stride: number, off: number, hd: number): void {
  for (let t = 0; t < rows; t++) {
    const s = t * stride + off;
    for (let i = 0; i < hd; i++) dst[i * rows + t] = src[s + i];
  }
}

/** dst = srcᵀ over the causal part that the blocked products read (j < blockEnd(t)). */
function causalTranspose(dst: Float64Array, src: Float64Array, srcOffset: number, rows: number): void {
  for (let t = 0; t < rows; t++) {
    const end = blockEnd(t, rows);
    const s = srcOffset + t * rows;
    for (let j = 0; j < end; j++) dst[j * rows + t] = src[s + j];
  }
}

/**
 * Causal softmax attention with grouped-query heads (head h reads kv head ⌊h / (heads/kvHeads)⌋,
 * as ggml broadcasts), scores scaled by 1/√headDim. Writes `out` (rows × heads·headDim) and keeps
 * the probabilities `probs[(h·rows + t)·rows + j]` (zero above the diagonal) for the backward pass.
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
    for (let t0 = 0; t0 < T; t0 += BLOCK) {
      const mm = Math.min(BLOCK, T - t0);
      gemmNT(probs, q, k, mm, blockEnd(t0, T), hd, false, pBase + t0 * T, t0 * qStride + h * hd, g * hd, T, qStride, kvStride);
    }
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
      const end = blockEnd(t, T);
      for (let j = t + 1; j < end; j++) probs[po + j] = 0;
    }
    if (h % group === 0) headTranspose(vT, v, T, kvStride, g * hd, hd);
    for (let t0 = 0; t0 < T; t0 += BLOCK) {
      const mm = Math.min(BLOCK, T - t0);
      gemmNT(out, probs, vT, mm, hd, blockEnd(t0, T), false, t0 * qStride + h * hd, pBase + t0 * T, 0, qStride, T, T);
    }
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
    // dP (into ds) over the causal blocks.
    for (let t0 = 0; t0 < T; t0 += BLOCK) {
      const mm = Math.min(BLOCK, T - t0);
      gemmNT(ds, dOut, v, mm, blockEnd(t0, T), hd, false, t0 * T, t0 * qStride + h * hd, g * hd, T, qStride, kvStride);
    }
    for (let t = 0; t < T; t++) {
      const po = pBase + t * T;
      const ro = t * T;
      let dot = 0;
      for (let j = 0; j <= t; j++) dot += probs[po + j] * ds[ro + j];
      for (let j = 0; j <= t; j++) ds[ro + j] = probs[po + j] * (ds[ro + j] - dot) * scale;
      const end = blockEnd(t, T);
      for (let j = t + 1; j < end; j++) ds[ro + j] = 0;
    }
    // dq_h = dS · K_g
    if (h % group === 0) headTranspose(kT, k, T, kvStride, g * hd, hd);
    for (let t0 = 0; t0 < T; t0 += BLOCK) {
      const mm = Math.min(BLOCK, T - t0);
      gemmNT(dq, ds, kT, mm, hd, blockEnd(t0, T), false, t0 * qStride + h * hd, t0 * T, 0, qStride, T, T);
    }
    // dk_g += dSᵀ · Q_h and dv_g += Pᵀ · dOut_h, over t ≥ j (rows j of the transposes from column j0 on).
    causalTranspose(dsT, ds, 0, T);
    causalTranspose(pT, probs, pBase, T);
    headTranspose(qT, q, T, qStride, h * hd, hd);
    headTranspose(dOutT, dOut, T, qStride, h * hd, hd);
    for (let j0 = 0; j0 < T; j0 += BLOCK) {
      const mm = Math.min(BLOCK, T - j0);
      gemmNT(dk, dsT, qT, mm, hd, T - j0, true, j0 * kvStride + g * hd, j0 * T + j0, j0, kvStride, T, T);
      gemmNT(dv, pT, dOutT, mm, hd, T - j0, true, j0 * kvStride + g * hd, j0 * T + j0, j0, kvStride, T, T);
    }
  }
}
