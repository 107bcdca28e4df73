import type { GgufFile } from "./types.js";
import { GgufValidationError } from "./errors.js";
import { metadataFloat, metadataInteger, metadataIntegerArray, metadataString, metadataStringArray } from "./metadataValue.js";

export interface ValidateQwen2GgufReturnType {
  hiddenSize: number;
  numLayers: number;
  vocabSize: number;
}

/**
 * Check a parsed GGUF is a qwen2 model llama.cpp can load, before llama.cpp sees it: a missing
 * `feed_forward_length` or `head_count` aborts the whole process natively, and wrong shapes
 * fail deep inside the loader. Collects every problem and throws one `GgufValidationError`
 * naming them all. Tensor checks run when `file.tensors` is given.
 */
export function validateQwen2Gguf(file: Pick<GgufFile, "metadata"> & { tensors?: GgufFile["tensors"] }): ValidateQwen2GgufReturnType {
  const m = file.metadata;
  const problems: string[] = [];
  const arch = metadataString(m, "general.architecture");
  if (arch !== "qwen2") problems.push(`general.architecture is ${arch === undefined ? "missing" : `"${arch}"`} (must be "qwen2")`);

  const positive = (key: string): number => {
    const v = metadataInteger(m, key);
    if (v === undefined) problems.push(`${key} is ${m.has(key) ? `not an integer (${m.get(key)?.type})` : "missing"}`);
    else if (v <= 0) problems.push(`${key} is ${v} (must be positive)`);
    return v ?? 0;
  };
  positive("qwen2.context_length");
  const hidden = positive("qwen2.embedding_length");
  const layers = positive("qwen2.block_count");
  const ff = positive("qwen2.feed_forward_length");
  const heads = positive("qwen2.attention.head_count");
  const kvHeads = positive("qwen2.attention.head_count_kv");
  const eps = metadataFloat(m, "qwen2.attention.layer_norm_rms_epsilon");
  if (eps === undefined || !(eps > 0)) {
    problems.push(`qwen2.attention.layer_norm_rms_epsilon is ${eps === undefined ? "missing or not a float" : eps} (a positive float32)`);
  }
  if (m.has("qwen2.rope.freq_base") && !((metadataFloat(m, "qwen2.rope.freq_base") ?? 0) > 0)) {
    problems.push("qwen2.rope.freq_base must be a positive float");
  }
  if (heads > 0 && hidden > 0 && hidden % heads !== 0) problems.push(`embedding_length ${hidden} is not a multiple of head_count ${heads}`);
  if (heads > 0 && kvHeads > 0 && heads % kvHeads !== 0) problems.push(`head_count ${heads} is not a multiple of head_count_kv ${kvHeads}`);
  if (heads > 0 && hidden > 0 && (hidden / heads) % 2 !== 0) problems.push(`head dimension ${hidden / heads} must be even for RoPE`);

  const tokModel = metadataString(m, "tokenizer.ggml.model");
  if (tokModel !== "gpt2") problems.push(`tokenizer.ggml.model is ${tokModel === undefined ? "missing" : `"${tokModel}"`} (must be "gpt2")`);
  const tokens = metadataStringArray(m, "tokenizer.ggml.tokens");
  if (!tokens || tokens.length === 0) problems.push("tokenizer.ggml.tokens is missing or not a non-empty string array");
  const merges = metadataStringArray(m, "tokenizer.ggml.merges");
  if (!merges) problems.push("tokenizer.ggml.merges is missing or not a string array");
  else {
    const bad = merges.findIndex((x) => x.indexOf(" ", 1) < 0);
    if (bad >= 0) problems.push(`tokenizer.ggml.merges[${bad}] "${merges[bad]}" is not "left right"`);
  }
  const vocab = tokens?.length ?? 0;
  if (m.has("tokenizer.ggml.token_type")) {
    const types = metadataIntegerArray(m, "tokenizer.ggml.token_type");
    if (!types || types.length !== vocab) problems.push(`tokenizer.ggml.token_type must be an integer array of ${vocab} entries`);
  }
  for (const key of ["bos_token_id", "eos_token_id", "padding_token_id", "eot_token_id"]) {
    const full = `tokenizer.ggml.${key}`;
    if (!m.has(full)) continue;
    const id = metadataInteger(m, full);
    if (id === undefined || id < 0 || id >= vocab) problems.push(`${full} is ${id ?? "not an integer"} (vocabulary has ${vocab} tokens)`);
  }

  if (file.tensors && problems.length === 0) {
    const byName = new Map(file.tensors.map((t) => [t.name, t]));
    const kvDim = (hidden / heads) * kvHeads;
    const expected: [string, number[]][] = [["token_embd.weight", [hidden, vocab]], ["output_norm.weight", [hidden]]];
    if (byName.has("output.weight")) expected.push(["output.weight", [hidden, vocab]]);
    for (let i = 0; i < layers; i++) {
      const b = `blk.${i}`;
      expected.push(
        [`${b}.attn_norm.weight`, [hidden]],
        [`${b}.attn_q.weight`, [hidden, hidden]],
        [`${b}.attn_q.bias`, [hidden]],
        [`${b}.attn_k.weight`, [hidden, kvDim]],
        [`${b}.attn_k.bias`, [kvDim]],
        [`${b}.attn_v.weight`, [hidden, kvDim]],
        [`${b}.attn_v.bias`, [kvDim]],
        [`${b}.attn_output.weight`, [hidden, hidden]],
        [`${b}.ffn_norm.weight`, [hidden]],
        [`${b}.ffn_gate.weight`, [hidden, ff]],
        [`${b}.ffn_up.weight`, [hidden, ff]],
        [`${b}.ffn_down.weight`, [ff, hidden]],
      );
    }
    for (const [name, shape] of expected) {
      const t = byName.get(name);
      if (!t) {
        problems.push(`tensor ${name} is missing`);
        continue;
      }
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        problems.push(`tensor ${name} has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
      }
      if (shape.length === 1 && t.type !== "F32") problems.push(`tensor ${name} is ${t.type}; 1-D norms and biases must be F32`);
    }
    const known = new Set(expected.map(([n]) => n));
    for (const t of file.tensors) if (!known.has(t.name)) problems.push(`tensor ${t.name} is not part of a ${layers}-layer qwen2 model`);
  }
  if (problems.length > 0) throw new GgufValidationError(problems, "qwen2 GGUF");
  return { hiddenSize: hidden, numLayers: layers, vocabSize: vocab };
}
