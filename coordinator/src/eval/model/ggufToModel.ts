import { dequantizeTensor } from "../gguf/dequantizeTensor.js";
import { metadataFloat, metadataInteger, metadataString, metadataStringArray } from "../gguf/metadataValue.js";
import { ggufTensorData, readGguf } from "../gguf/readGguf.js";
import { validateQwen2Gguf } from "../gguf/validateQwen2Gguf.js";
import { ModelError } from "./errors.js";
import type { Qwen2Model, Tensor, TensorType } from "./types.js";

const STORABLE = new Set<string>(["F32", "F16", "Q8_0", "Q4_0"]);

/** Read a qwen2 GGUF (validated first) into memory: dequantized values plus the raw blocks. */
export function ggufToModel(bytes: Uint8Array): Qwen2Model {
  const file = readGguf(bytes);
  validateQwen2Gguf(file);
  const m = file.metadata;
  const tokens = metadataStringArray(m, "tokenizer.ggml.tokens")!;
  const idOf = (text: string): number => {
    const id = tokens.indexOf(text);
    if (id < 0) throw new ModelError(`the vocabulary has no ${text} token; Qwen2.5 chat formatting needs it`);
    return id;
  };
  const tensors = new Map<string, Tensor>();
  for (const info of file.tensors) {
    if (!STORABLE.has(info.type)) throw new ModelError(`tensor ${info.name} is ${info.type}; only F32, F16, Q8_0 and Q4_0 are supported`);
    const type = info.type as TensorType;
    const raw = ggufTensorData(file, info);
    const count = info.shape.reduce((a, b) => a * b, 1);
    tensors.set(info.name, {
      name: info.name,
      shape: info.shape.slice(),
      type,
      values: dequantizeTensor({ data: raw, type, count, name: info.name }),
      raw: type === "F32" ? undefined : raw.slice(),
    });
  }
  return {
    name: metadataString(m, "general.name") ?? "qwen2",
    config: {
      vocabSize: tokens.length,
      hiddenSize: metadataInteger(m, "qwen2.embedding_length")!,
      numLayers: metadataInteger(m, "qwen2.block_count")!,
      intermediateSize: metadataInteger(m, "qwen2.feed_forward_length")!,
      numHeads: metadataInteger(m, "qwen2.attention.head_count")!,
      numKvHeads: metadataInteger(m, "qwen2.attention.head_count_kv")!,
      contextLength: metadataInteger(m, "qwen2.context_length")!,
      rmsNormEps: metadataFloat(m, "qwen2.attention.layer_norm_rms_epsilon")!,
      // llama.cpp's default when the key is absent.
      ropeTheta: metadataFloat(m, "qwen2.rope.freq_base") ?? 10000,
      tiedEmbeddings: !tensors.has("output.weight"),
    },
    tokenizer: {
      tokens,
      merges: metadataStringArray(m, "tokenizer.ggml.merges")!,
      special: { endOfText: idOf("<|endoftext|>"), imStart: idOf("<|im_start|>"), imEnd: idOf("<|im_end|>") },
      pre: metadataString(m, "tokenizer.ggml.pre") ?? "default",
    },
    tensors,
  };
}
