import { LLAMA_FTYPE } from "../gguf/ggmlTypes.js";
import { quantizeTensor } from "../gguf/quantizeTensor.js";
import type { GgufValue, GgufWriteTensor } from "../gguf/types.js";
import { writeGguf } from "../gguf/writeGguf.js";
import { ModelError } from "./errors.js";
import { checkConfig } from "./createRandomModel.js";
import { qwen2TensorShapes } from "./qwen2TensorShapes.js";
import type { Qwen2Model } from "./types.js";

/** llama.cpp token types: control tokens are never produced from text (parse_special off). */
const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_CONTROL = 3;

/**
 * A loadable qwen2 GGUF for `model`, deterministic (same model, same bytes). Quantized tensors
 * are written from `raw` when present (their exact blocks), otherwise quantized from `values`.
 * Tokens that are specials, or spelled `<|...|>`, are typed CONTROL.
 */
export function modelToGguf(model: Qwen2Model): Uint8Array {
  const c = model.config;
  checkConfig(c);
  const tok = model.tokenizer;
  if (tok.tokens.length !== c.vocabSize) throw new ModelError(`tokenizer has ${tok.tokens.length} tokens, config.vocabSize is ${c.vocabSize}`);
  const specials = new Set([tok.special.endOfText, tok.special.imStart, tok.special.imEnd]);
  const tokenTypes = tok.tokens.map((t, id) => (specials.has(id) || /^<\|[^|]+\|>$/.test(t) ? TOKEN_TYPE_CONTROL : TOKEN_TYPE_NORMAL));

  const shapes = qwen2TensorShapes(c);
  const weightTypes = new Set(shapes.filter(([, s]) => s.length === 2).map(([n]) => model.tensors.get(n)?.type));
  const fileType = weightTypes.size === 1 ? LLAMA_FTYPE[[...weightTypes][0] as keyof typeof LLAMA_FTYPE] : undefined;

  const u32 = (value: number): GgufValue => ({ type: "uint32", value });
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "qwen2" }],
    ["general.name", { type: "string", value: model.name }],
    ...(fileType !== undefined ? ([["general.file_type", u32(fileType)]] as [string, GgufValue][]) : []),
    ["qwen2.context_length", u32(c.contextLength)],
    ["qwen2.embedding_length", u32(c.hiddenSize)],
    ["qwen2.block_count", u32(c.numLayers)],
    ["qwen2.feed_forward_length", u32(c.intermediateSize)],
    ["qwen2.attention.head_count", u32(c.numHeads)],
    ["qwen2.attention.head_count_kv", u32(c.numKvHeads)],
    ["qwen2.rope.freq_base", { type: "float32", value: c.ropeTheta }],
    ["qwen2.attention.layer_norm_rms_epsilon", { type: "float32", value: c.rmsNormEps }],
    ["tokenizer.ggml.model", { type: "string", value: "gpt2" }],
    ["tokenizer.ggml.pre", { type: "string", value: tok.pre }],
    ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: tok.tokens }],
    ["tokenizer.ggml.token_type", { type: "array", itemType: "int32", value: tokenTypes }],
    ["tokenizer.ggml.merges", { type: "array", itemType: "string", value: tok.merges }],
    ["tokenizer.ggml.bos_token_id", u32(tok.special.endOfText)],
    ["tokenizer.ggml.eos_token_id", u32(tok.special.imEnd)],
    ["tokenizer.ggml.padding_token_id", u32(tok.special.endOfText)],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: false }],
  ]);

  const tensors: GgufWriteTensor[] = [];
  for (const [name, shape] of shapes) {
    const t = model.tensors.get(name);
    if (!t) throw new ModelError(`model ${model.name} lacks tensor ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ModelError(`tensor ${name} has shape [${t.shape.join(", ")}], the config needs [${shape.join(", ")}]`);
    }
    const data = t.raw ?? quantizeTensor({ values: t.values, shape: t.shape, type: t.type, name });
    tensors.push({ name, shape, type: t.type, data });
  }
  const extra = [...model.tensors.keys()].filter((n) => !shapes.some(([s]) => s === n));
  if (extra.length > 0) throw new ModelError(`tensors ${extra.join(", ")} are not part of this qwen2 config`);
  return writeGguf({ metadata, tensors });
}
