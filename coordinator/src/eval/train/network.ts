import type { Qwen2Config, Qwen2Model } from "../model/types.js";
import { TrainInputError } from "./errors.js";
import { createRopeTable, type RopeTable } from "./ops/rope.js";

/** The projections a LoRA pair can be attached to (GGUF tensor kinds); `output` is the output layer. */
export const LORA_TARGET_KINDS = [
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
  "output",
] as const;
export type LoraTargetKind = (typeof LORA_TARGET_KINDS)[number];

/** A LoRA pair in training: y += Us·Bᵀ with Us = scale·(x·Aᵀ). a is rank×nIn, b is nOut×rank (GGUF layouts). */
export interface LoraSlot {
  rank: number;
  scale: number;
  a: Float64Array;
  b: Float64Array;
  ga: Float64Array | null;
  gb: Float64Array | null;
}

/** A linear layer y = x·Wᵀ (+ bias) (+ LoRA); w is nOut×nIn (GGUF [n_in, n_out]). */
export interface LinearSlot {
  name: string;
  index: number;
  nIn: number;
  nOut: number;
  w: Float64Array;
  /** wᵀ (nIn×nOut), so the input gradient is also a row-by-row product; kept current by syncTransposes. */
  wT: Float64Array;
  gw: Float64Array | null;
  bias: Float64Array | null;
  gBias: Float64Array | null;
  lora: LoraSlot | null;
}

export interface NormSlot {
  name: string;
  w: Float64Array;
  gw: Float64Array | null;
}

export interface LayerSlots {
  attnNorm: NormSlot;
  q: LinearSlot;
  k: LinearSlot;
  v: LinearSlot;
  o: LinearSlot;
  ffnNorm: NormSlot;
  gate: LinearSlot;
  up: LinearSlot;
  down: LinearSlot;
}

/** One trainable array with its gradient, in the fixed order the optimizer and the state use. */
export interface TrainableParam {
  name: string;
  values: Float64Array;
  grad: Float64Array;
  /** Decoupled weight decay applies (matrices and LoRA factors; not norms or biases). */
  decay: boolean;
}

/** A qwen2 model laid out for float64 training: every weight as Float64Array, gradients where trained. */
export interface Network {
  config: Qwen2Config;
  headDim: number;
  embd: { w: Float64Array; gw: Float64Array | null };
  layers: LayerSlots[];
  outNorm: NormSlot;
  /** Shares `w` (and `gw`) with `embd` when the embeddings are tied. */
  output: LinearSlot;
  linears: LinearSlot[];
  rope: RopeTable;
  params: TrainableParam[];
}

/** Checks the config and every tensor's shape, throwing one clear error for the first problem. */
export function validateModelForTraining(model: Qwen2Model): void {
  const c = model.config;
  const bad = (what: string) =>
    new TrainInputError(`Model "${model.name}" cannot be trained: ${what}`, {
      hint: "Fix the model (or its GGUF metadata) so the qwen2 shapes agree",
    });
  for (const key of ["vocabSize", "hiddenSize", "numLayers", "intermediateSize", "numHeads", "numKvHeads", "contextLength"] as const) {
    if (!Number.isInteger(c[key]) || c[key] <= 0) throw bad(`config.${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.hiddenSize % c.numHeads !== 0) throw bad(`hiddenSize ${c.hiddenSize} is not a multiple of numHeads ${c.numHeads}`);
  if ((c.hiddenSize / c.numHeads) % 2 !== 0) throw bad(`head dimension ${c.hiddenSize / c.numHeads} must be even for RoPE`);
  if (c.numHeads % c.numKvHeads !== 0) throw bad(`numHeads ${c.numHeads} is not a multiple of numKvHeads ${c.numKvHeads}`);
  if (!(c.rmsNormEps > 0)) throw bad(`rmsNormEps must be > 0, got ${c.rmsNormEps}`);
  if (!(c.ropeTheta > 0)) throw bad(`ropeTheta must be > 0, got ${c.ropeTheta}`);
  for (const [name, shape] of expectedShapes(c)) {
    const t = model.tensors.get(name);
    if (!t) throw bad(`tensor ${name} is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw bad(`tensor ${name} has shape [${t.shape}], expected [${shape}]`);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.values.length !== n) throw bad(`tensor ${name} has ${t.values.length} values, expected ${n}`);
  }
}

/** GGUF name → ggml shape of every tensor a qwen2 model needs. */
export function expectedShapes(c: Qwen2Config): Map<string, number[]> {
  const d = c.hiddenSize;
  const hd = d / c.numHeads;
  const kv = c.numKvHeads * hd;
  const m = new Map<string, number[]>();
  m.set("token_embd.weight", [d, c.vocabSize]);
  for (let l = 0; l < c.numLayers; l++) {
    const p = `blk.${l}.`;
    m.set(`${p}attn_norm.weight`, [d]);
    m.set(`${p}attn_q.weight`, [d, d]);
    m.set(`${p}attn_q.bias`, [d]);
    m.set(`${p}attn_k.weight`, [d, kv]);
    m.set(`${p}attn_k.bias`, [kv]);
    m.set(`${p}attn_v.weight`, [d, kv]);
    m.set(`${p}attn_v.bias`, [kv]);
    m.set(`${p}attn_output.weight`, [d, d]);
    m.set(`${p}ffn_norm.weight`, [d]);
    m.set(`${p}ffn_gate.weight`, [d, c.intermediateSize]);
    m.set(`${p}ffn_up.weight`, [d, c.intermediateSize]);
    m.set(`${p}ffn_down.weight`, [c.intermediateSize, d]);
  }
  m.set("output_norm.weight", [d]);
  if (!c.tiedEmbeddings) m.set("output.weight", [d, c.vocabSize]);
  return m;
}

/**
 * Lays out `model` for training. With `trainBase` every tensor gets a gradient (pretraining);
 * without, the base is frozen and only LoRA pairs attached later are trained.
 */
export function createNetwork(model: Qwen2Model, options: { trainBase: boolean }): Network {
  validateModelForTraining(model);
  const c = model.config;
  const hd = c.hiddenSize / c.numHeads;
  const params: TrainableParam[] = [];
  const f64 = (name: string) => Float64Array.from(model.tensors.get(name)!.values);
  const grad = (name: string, values: Float64Array, decay: boolean): Float64Array | null => {
    if (!options.trainBase) return null;
    const g = new Float64Array(values.length);
    params.push({ name, values, grad: g, decay });
    return g;
  };
  const linears: LinearSlot[] = [];
  const linear = (name: string, nIn: number, nOut: number, biasName: string | null): LinearSlot => {
    const w = f64(name);
    const gw = grad(name, w, true);
    const bias = biasName ? f64(biasName) : null;
    const gBias = biasName && bias ? grad(biasName, bias, false) : null;
    const slot: LinearSlot = { name, index: linears.length, nIn, nOut, w, wT: new Float64Array(w.length), gw, bias, gBias, lora: null };
    linears.push(slot);
    return slot;
  };
  const norm = (name: string): NormSlot => {
    const w = f64(name);
    return { name, w, gw: grad(name, w, false) };
  };

  const d = c.hiddenSize;
  const kv = c.numKvHeads * hd;
  const embdW = f64("token_embd.weight");
  const embd = { w: embdW, gw: grad("token_embd.weight", embdW, true) };
  const layers: LayerSlots[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `blk.${l}.`;
    layers.push({
      attnNorm: norm(`${p}attn_norm.weight`),
      q: linear(`${p}attn_q.weight`, d, d, `${p}attn_q.bias`),
      k: linear(`${p}attn_k.weight`, d, kv, `${p}attn_k.bias`),
      v: linear(`${p}attn_v.weight`, d, kv, `${p}attn_v.bias`),
      o: linear(`${p}attn_output.weight`, d, d, null),
      ffnNorm: norm(`${p}ffn_norm.weight`),
      gate: linear(`${p}ffn_gate.weight`, d, c.intermediateSize, null),
      up: linear(`${p}ffn_up.weight`, d, c.intermediateSize, null),
      down: linear(`${p}ffn_down.weight`, c.intermediateSize, d, null),
    });
  }
  const outNorm = norm("output_norm.weight");
  let output: LinearSlot;
  if (c.tiedEmbeddings) {
    output = { name: "output.weight", index: linears.length, nIn: d, nOut: c.vocabSize, w: embd.w, wT: new Float64Array(embd.w.length), gw: embd.gw, bias: null, gBias: null, lora: null };
    linears.push(output);
  } else {
    output = linear("output.weight", d, c.vocabSize, null);
  }
  const net: Network = {
    config: c,
    headDim: hd,
    embd,
    layers,
    outNorm,
    output,
    linears,
    // rope.freq_base is a float32 in GGUF.
    rope: createRopeTable(c.contextLength, hd, Math.fround(c.ropeTheta)),
    params,
  };
  syncTransposes(net);
  return net;
}

/** Recomputes every wᵀ from w; needed once for a frozen base, after every update when training it. */
export function syncTransposes(net: Network): void {
  for (const s of net.linears) {
    const { w, wT, nIn, nOut } = s;
    for (let o = 0; o < nOut; o++) {
      const r = o * nIn;
      for (let i = 0; i < nIn; i++) wT[i * nOut + o] = w[r + i];
    }
  }
}

/** The linear slot a LoRA target kind names in layer `layer` (`output` ignores the layer). */
export function linearFor(net: Network, kind: LoraTargetKind, layer: number): LinearSlot {
  if (kind === "output") return net.output;
  const l = net.layers[layer];
  switch (kind) {
    case "attn_q": return l.q;
    case "attn_k": return l.k;
    case "attn_v": return l.v;
    case "attn_output": return l.o;
    case "ffn_gate": return l.gate;
    case "ffn_up": return l.up;
    case "ffn_down": return l.down;
  }
}
