import type { LinearSlot, Network } from "./network.js";
import { attentionBackward, attentionForward, createAttentionScratch, type AttentionScratch, type AttentionShape } from "./ops/attention.js";
import { crossEntropy } from "./ops/crossEntropy.js";
import { gemmNT } from "./ops/gemmNT.js";
import { applyRope } from "./ops/rope.js";
import { rmsNormBackward, rmsNormForward } from "./ops/rmsNorm.js";
import { swigluBackward, swigluForward } from "./ops/swiglu.js";
import { transpose } from "./ops/transpose.js";

/**
 * Buffers for one sequence of up to `maxRows` tokens, allocated once and reused for every
 * sequence of a run (no allocation in the training loop). Activations are kept per layer for the
 * backward pass.
 */
export interface Workspace {
  maxRows: number;
  hIn: Float64Array[];
  rA: Float64Array[];
  xnA: Float64Array[];
  q: Float64Array[];
  k: Float64Array[];
  v: Float64Array[];
  probs: Float64Array[];
  att: Float64Array[];
  hMid: Float64Array[];
  rF: Float64Array[];
  xnF: Float64Array[];
  gate: Float64Array[];
  /** σ(gate), kept for the backward pass. */
  sig: Float64Array[];
  up: Float64Array[];
  act: Float64Array[];
  /** scale·(x·Aᵀ) of each LoRA pair, by linear slot index. */
  loraUs: (Float64Array | null)[];
  rOut: Float64Array;
  hn: Float64Array;
  logits: Float64Array;
  logProbs: Float64Array;
  // backward scratch
  dh: Float64Array;
  dxn: Float64Array;
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
  datt: Float64Array;
  dgate: Float64Array;
  dup: Float64Array;
  dact: Float64Array;
  dhn: Float64Array;
  xT: Float64Array;
  dyT: Float64Array;
  uT: Float64Array;
  dU: Float64Array;
  dUT: Float64Array;
  loraT: Float64Array;
  attention: AttentionScratch;
}

export function createWorkspace(net: Network, maxRows: number): Workspace {
  const c = net.config;
  const d = c.hiddenSize;
  const kv = c.numKvHeads * net.headDim;
  const f = c.intermediateSize;
  const T = maxRows;
  const per = (n: number) => net.layers.map(() => new Float64Array(n));
  const maxRank = Math.max(0, ...net.linears.map((s) => s.lora?.rank ?? 0));
  const maxDim = Math.max(d, f, c.vocabSize);
  const maxLora = Math.max(0, ...net.linears.map((s) => (s.lora ? s.lora.rank * Math.max(s.nIn, s.nOut) : 0)));
  return {
    maxRows: T,
    hIn: [...per(T * d), new Float64Array(T * d)],
    rA: per(T),
    xnA: per(T * d),
    q: per(T * d),
    k: per(T * kv),
    v: per(T * kv),
    probs: per(c.numHeads * T * T),
    att: per(T * d),
    hMid: per(T * d),
    rF: per(T),
    xnF: per(T * d),
    gate: per(T * f),
    sig: per(T * f),
    up: per(T * f),
    act: per(T * f),
    loraUs: net.linears.map((s) => (s.lora ? new Float64Array(T * s.lora.rank) : null)),
    rOut: new Float64Array(T),
    hn: new Float64Array(T * d),
    logits: new Float64Array(T * c.vocabSize),
    logProbs: new Float64Array(T),
    dh: new Float64Array(T * d),
    dxn: new Float64Array(T * d),
    dq: new Float64Array(T * d),
    dk: new Float64Array(T * kv),
    dv: new Float64Array(T * kv),
    datt: new Float64Array(T * d),
    dgate: new Float64Array(T * f),
    dup: new Float64Array(T * f),
    dact: new Float64Array(T * f),
    dhn: new Float64Array(T * d),
    xT: new Float64Array(T * maxDim),
    dyT: new Float64Array(T * maxDim),
    uT: new Float64Array(T * Math.max(1, maxRank)),
    dU: new Float64Array(T * Math.max(1, maxRank)),
    dUT: new Float64Array(T * Math.max(1, maxRank)),
    loraT: new Float64Array(Math.max(1, maxLora)),
    attention: createAttentionScratch(T, net.headDim),
  };
}

/** y (rows×nOut) = x·Wᵀ + scale·(x·Aᵀ)·Bᵀ + bias, keeping scale·(x·Aᵀ) for the backward pass. */
function linearForward(s: LinearSlot, ws: Workspace, x: Float64Array, rows: number, y: Float64Array): void {
  gemmNT(y, x, s.w, rows, s.nOut, s.nIn, false);
  const lora = s.lora;
  if (lora) {
    const us = ws.loraUs[s.index]!;
    gemmNT(us, x, lora.a, rows, lora.rank, s.nIn, false);
    const n = rows * lora.rank;
    for (let i = 0; i < n; i++) us[i] *= lora.scale;
    gemmNT(y, us, lora.b, rows, s.nOut, lora.rank, true);
  }
  const b = s.bias;
  if (b) {
    for (let t = 0; t < rows; t++) {
      const o = t * s.nOut;
      for (let j = 0; j < s.nOut; j++) y[o + j] += b[j];
    }
  }
}

/**
 * Backward of linearForward: parameter gradients are accumulated, the input gradient is written to
 * dx (added to it when `accumulate`), or skipped when dx is null. `xT` must already hold xᵀ
 * (nIn×rows) when the slot has a weight gradient or a LoRA pair.
 */
function linearBackward(
  s: LinearSlot,
  ws: Workspace,
  xT: Float64Array,
  dy: Float64Array,
  rows: number,
  dx: Float64Array | null,
  accumulate: boolean,
): void {
  const { nIn, nOut } = s;
  const lora = s.lora;
  const needDyT = s.gw !== null || (lora !== null && (lora.gb !== null || lora.ga !== null));
  if (needDyT) transpose(ws.dyT, dy, rows, nOut);
  if (s.gBias) {
    const g = s.gBias;
    for (let t = 0; t < rows; t++) {
      const o = t * nOut;
      for (let j = 0; j < nOut; j++) g[j] += dy[o + j];
    }
  }
  if (s.gw) gemmNT(s.gw, ws.dyT, xT, nOut, nIn, rows, true);
  if (dx) gemmNT(dx, dy, s.wT, rows, nIn, nOut, accumulate);
  if (lora) {
    const r = lora.rank;
    const us = ws.loraUs[s.index]!;
    if (lora.gb) {
      transpose(ws.uT, us, rows, r);
      gemmNT(lora.gb, ws.dyT, ws.uT, nOut, r, rows, true);
    }
    // dU = scale·(dy·B): B is nOut×r, so go through Bᵀ (r×nOut).
    transpose(ws.loraT, lora.b, nOut, r);
    gemmNT(ws.dU, dy, ws.loraT, rows, r, nOut, false);
    const n = rows * r;
    for (let i = 0; i < n; i++) ws.dU[i] *= lora.scale;
    if (lora.ga) {
      transpose(ws.dUT, ws.dU, rows, r);
      gemmNT(lora.ga, ws.dUT, xT, r, nIn, rows, true);
    }
    if (dx) {
      transpose(ws.loraT, lora.a, r, nIn);
      gemmNT(dx, ws.dU, ws.loraT, rows, nIn, r, true);
    }
  }
}

function needsXT(s: LinearSlot): boolean {
  return s.gw !== null || (s.lora !== null && s.lora.ga !== null);
}

export interface SequencePassResult {
  /** Σ −log p(token_p | tokens before p) over p = scoreFrom … length−1. */
  nll: number;
  /** Number of scored tokens (length − scoreFrom). */
  tokens: number;
}

/**
 * One sequence through the network. Positions scoreFrom…length−1 are scored, each given every
 * token before it (logits of position p−1 predict token p); `ws.logProbs[0 … tokens−1]` holds their
 * log-probabilities afterwards. When `gradScale` is a number, gradients of gradScale·Σ nll are
 * accumulated into every trainable parameter of `net` (the caller zeroes them per step).
 */
export function forwardBackward(
  net: Network,
  ws: Workspace,
  tokens: ArrayLike<number>,
  scoreFrom: number,
  gradScale: number | null,
): SequencePassResult {
  const c = net.config;
  const T = tokens.length;
  const d = c.hiddenSize;
  const hd = net.headDim;
  const kvDim = c.numKvHeads * hd;
  const f = c.intermediateSize;
  const L = net.layers.length;
  // GGUF stores the epsilon as float32; use the value llama.cpp reads.
  const eps = Math.fround(c.rmsNormEps);
  const shape: AttentionShape = { rows: T, heads: c.numHeads, kvHeads: c.numKvHeads, headDim: hd };

  // Embedding lookup.
  const h0 = ws.hIn[0];
  for (let t = 0; t < T; t++) {
    const e = tokens[t] * d;
    for (let i = 0; i < d; i++) h0[t * d + i] = net.embd.w[e + i];
  }

  for (let l = 0; l < L; l++) {
    const ly = net.layers[l];
    const hIn = ws.hIn[l];
    const hMid = ws.hMid[l];
    const hOut = ws.hIn[l + 1];
    rmsNormForward(ws.xnA[l], ws.rA[l], hIn, ly.attnNorm.w, T, d, eps);
    linearForward(ly.q, ws, ws.xnA[l], T, ws.q[l]);
    linearForward(ly.k, ws, ws.xnA[l], T, ws.k[l]);
    linearForward(ly.v, ws, ws.xnA[l], T, ws.v[l]);
    applyRope(ws.q[l], net.rope, T, c.numHeads, false);
    applyRope(ws.k[l], net.rope, T, c.numKvHeads, false);
    attentionForward(ws.att[l], ws.probs[l], ws.q[l], ws.k[l], ws.v[l], shape, ws.attention);
    linearForward(ly.o, ws, ws.att[l], T, hMid);
    for (let i = 0; i < T * d; i++) hMid[i] += hIn[i];
    rmsNormForward(ws.xnF[l], ws.rF[l], hMid, ly.ffnNorm.w, T, d, eps);
    linearForward(ly.gate, ws, ws.xnF[l], T, ws.gate[l]);
    linearForward(ly.up, ws, ws.xnF[l], T, ws.up[l]);
    swigluForward(ws.act[l], ws.sig[l], ws.gate[l], ws.up[l], T * f);
    linearForward(ly.down, ws, ws.act[l], T, hOut);
    for (let i = 0; i < T * d; i++) hOut[i] += hMid[i];
  }

  // Only rows scoreFrom−1 … T−2 predict a scored token: the final norm and the output layer
  // (the largest product with a big vocabulary) run on those rows alone.
  const first = scoreFrom - 1;
  const R = T - scoreFrom;
  const hLast = ws.hIn[L];
  rmsNormForward(ws.hn, ws.rOut, hLast, net.outNorm.w, R, d, eps, first * d);
  linearForward(net.output, ws, ws.hn, R, ws.logits);
  const nll = crossEntropy(ws.logits, tokens, scoreFrom, R, c.vocabSize, ws.logProbs, gradScale);
  if (gradScale === null) return { nll, tokens: R };

  // Backward. ws.logits now holds ∂L/∂logits.
  const dh = ws.dh;
  dh.fill(0, 0, T * d);
  if (needsXT(net.output)) transpose(ws.xT, ws.hn, R, d);
  linearBackward(net.output, ws, ws.xT, ws.logits, R, ws.dhn, false);
  rmsNormBackward(dh, net.outNorm.gw, ws.dhn, hLast, ws.rOut, net.outNorm.w, R, d, first * d);
  // dh sits at rows first…T−1 of a T-row buffer; rmsNormBackward wrote there through xOffset.

  const embdTrained = net.embd.gw !== null;
  for (let l = L - 1; l >= 0; l--) {
    const ly = net.layers[l];
    // hOut = hMid + down(act): dh flows unchanged to hMid.
    if (needsXT(ly.down)) transpose(ws.xT, ws.act[l], T, f);
    linearBackward(ly.down, ws, ws.xT, dh, T, ws.dact, false);
    swigluBackward(ws.dgate, ws.dup, ws.dact, ws.gate[l], ws.sig[l], ws.up[l], T * f);
    if (needsXT(ly.gate) || needsXT(ly.up)) transpose(ws.xT, ws.xnF[l], T, d);
    linearBackward(ly.gate, ws, ws.xT, ws.dgate, T, ws.dxn, false);
    linearBackward(ly.up, ws, ws.xT, ws.dup, T, ws.dxn, true);
    rmsNormBackward(dh, ly.ffnNorm.gw, ws.dxn, ws.hMid[l], ws.rF[l], ly.ffnNorm.w, T, d);
    // hMid = hIn + o(att).
    if (needsXT(ly.o)) transpose(ws.xT, ws.att[l], T, d);
    linearBackward(ly.o, ws, ws.xT, dh, T, ws.datt, false);
    attentionBackward(ws.dq, ws.dk, ws.dv, ws.datt, ws.probs[l], ws.q[l], ws.k[l], ws.v[l], shape, ws.attention);
    applyRope(ws.dq, net.rope, T, c.numHeads, true);
    applyRope(ws.dk, net.rope, T, c.numKvHeads, true);
    // Below layer 0 only the embedding (and this norm) is left: skip the input gradient when frozen.
    const needInput = l > 0 || embdTrained || ly.attnNorm.gw !== null;
    const dxn = needInput ? ws.dxn : null;
    if (needsXT(ly.q) || needsXT(ly.k) || needsXT(ly.v)) transpose(ws.xT, ws.xnA[l], T, d);
    linearBackward(ly.q, ws, ws.xT, ws.dq, T, dxn, false);
    linearBackward(ly.k, ws, ws.xT, ws.dk, T, dxn, true);
    linearBackward(ly.v, ws, ws.xT, ws.dv, T, dxn, true);
    if (needInput) rmsNormBackward(dh, ly.attnNorm.gw, ws.dxn, ws.hIn[l], ws.rA[l], ly.attnNorm.w, T, d);
  }
  if (embdTrained) {
    const g = net.embd.gw!;
    for (let t = 0; t < T; t++) {
      const e = tokens[t] * d;
      for (let i = 0; i < d; i++) g[e + i] += dh[t * d + i];
    }
  }
  return { nll, tokens: R };
}
