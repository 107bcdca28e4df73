import { metadataFloat, metadataInteger, metadataString, metadataStringArray } from "../gguf/metadataValue.js";
import { readGgufHeaderFromFile } from "../gguf/readGgufHeaderFromFile.js";
import { validateQwen2Gguf } from "../gguf/validateQwen2Gguf.js";
import type { BpeTokenizerSpec, Qwen2Config } from "../model/types.js";
import { createTokenizer, type Tokenizer } from "../tokenizer/createTokenizer.js";
import { DemoError } from "../demo/errors.js";

export interface ReadModelHeaderReturnType {
  name: string;
  config: Qwen2Config;
  tokenizer: Tokenizer;
}

/**
 * A qwen2 GGUF's name, config and tokenizer from its header only (a 0.5B model's weights are
 * never read for this), validated as the engine would. Fails clearly when the chat-template
 * tokens are missing.
 */
export async function readModelHeader(modelPath: string): Promise<ReadModelHeaderReturnType> {
  let header;
  try {
    header = await readGgufHeaderFromFile(modelPath);
  } catch (cause) {
    throw new DemoError(`cannot read ${modelPath} as GGUF: ${(cause as Error).message}`, { cause });
  }
  validateQwen2Gguf(header);
  const m = header.metadata;
  const tokens = metadataStringArray(m, "tokenizer.ggml.tokens")!;
  const idOf = (text: string) => {
    const id = tokens.indexOf(text);
    if (id < 0) throw new DemoError(`${modelPath} has no ${text} token; the Qwen2.5 chat template needs it`);
    return id;
  };
  const spec: BpeTokenizerSpec = {
    tokens,
    merges: metadataStringArray(m, "tokenizer.ggml.merges") ?? [],
    special: { endOfText: idOf("<|endoftext|>"), imStart: idOf("<|im_start|>"), imEnd: idOf("<|im_end|>") },
    pre: metadataString(m, "tokenizer.ggml.pre") ?? "default",
  };
  const config: Qwen2Config = {
    vocabSize: tokens.length,
    hiddenSize: metadataInteger(m, "qwen2.embedding_length")!,
    numLayers: metadataInteger(m, "qwen2.block_count")!,
    intermediateSize: metadataInteger(m, "qwen2.feed_forward_length")!,
    numHeads: metadataInteger(m, "qwen2.attention.head_count")!,
    numKvHeads: metadataInteger(m, "qwen2.attention.head_count_kv")!,
    contextLength: metadataInteger(m, "qwen2.context_length")!,
    rmsNormEps: metadataFloat(m, "qwen2.attention.layer_norm_rms_epsilon")!,
    ropeTheta: metadataFloat(m, "qwen2.rope.freq_base") ?? 10000,
    tiedEmbeddings: !header.tensors.some((t) => t.name === "output.weight"),
  };
  return { name: metadataString(m, "general.name") ?? "qwen2", config, tokenizer: createTokenizer(spec) };
}
