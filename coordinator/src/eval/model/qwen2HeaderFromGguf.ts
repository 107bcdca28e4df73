import { metadataFloat, metadataInteger, metadataString, metadataStringArray } from "../gguf/metadataValue.js";
import type { GgufFile } from "../gguf/types.js";
import { ModelError } from "./errors.js";
import type { BpeTokenizerSpec, Qwen2Config } from "./types.js";

export interface Qwen2HeaderFromGgufReturnType {
  name: string;
  config: Qwen2Config;
  tokenizer: BpeTokenizerSpec;
}

/**
 * Name, config and tokenizer of a qwen2 GGUF already checked by `validateQwen2Gguf`, from its
 * metadata and tensor names only (no tensor data), so a header read and a full read agree.
 */
export function qwen2HeaderFromGguf(file: Pick<GgufFile, "metadata" | "tensors">): Qwen2HeaderFromGgufReturnType {
  const m = file.metadata;
  const tokens = metadataStringArray(m, "tokenizer.ggml.tokens")!;
  const idOf = (text: string): number => {
    const id = tokens.indexOf(text);
    if (id < 0) throw new ModelError(`the vocabulary has no ${text} token; Qwen2.5 chat formatting needs it`);
    return id;
  };
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
      tiedEmbeddings: !file.tensors.some((t) => t.name === "output.weight"),
    },
    tokenizer: {
      tokens,
      merges: metadataStringArray(m, "tokenizer.ggml.merges") ?? [],
      special: { endOfText: idOf("<|endoftext|>"), imStart: idOf("<|im_start|>"), imEnd: idOf("<|im_end|>") },
      pre: metadataString(m, "tokenizer.ggml.pre") ?? "default",
    },
  };
}
