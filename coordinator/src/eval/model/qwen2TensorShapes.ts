import type { Qwen2Config } from "./types.js";

export const QWEN2_LINEAR_SUFFIXES = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;

/** Every tensor of a qwen2 model in GGUF order with its ggml shape; `output.weight` only when untied. */
export function qwen2TensorShapes(config: Qwen2Config): [string, number[]][] {
  const { hiddenSize: h, intermediateSize: ff, vocabSize: v, numLayers, numHeads, numKvHeads } = config;
  const kv = (h / numHeads) * numKvHeads;
  const out: [string, number[]][] = [["token_embd.weight", [h, v]]];
  for (let i = 0; i < numLayers; i++) {
    const b = `blk.${i}`;
    out.push(
      [`${b}.attn_norm.weight`, [h]],
      [`${b}.attn_q.weight`, [h, h]],
      [`${b}.attn_q.bias`, [h]],
      [`${b}.attn_k.weight`, [h, kv]],
      [`${b}.attn_k.bias`, [kv]],
      [`${b}.attn_v.weight`, [h, kv]],
      [`${b}.attn_v.bias`, [kv]],
      [`${b}.attn_output.weight`, [h, h]],
      [`${b}.ffn_norm.weight`, [h]],
      [`${b}.ffn_gate.weight`, [h, ff]],
      [`${b}.ffn_up.weight`, [h, ff]],
      [`${b}.ffn_down.weight`, [ff, h]],
    );
  }
  out.push(["output_norm.weight", [h]]);
  if (!config.tiedEmbeddings) out.push(["output.weight", [h, v]]);
  return out;
}
