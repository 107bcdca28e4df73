/**
 * In-memory shapes shared by the eval engine's parts: the GGUF reader/writer, the float64
 * reference forward pass, the llama.cpp scorer and the LoRA trainer.
 *
 * Conventions (those of ggml/GGUF, so nothing is transposed on the way to llama.cpp):
 * - `shape` is ggml's `ne`: `shape[0]` is the fastest-varying dimension. A linear layer
 *   `y = W x` with `n_in` inputs and `n_out` outputs is stored with shape `[n_in, n_out]`:
 *   `n_out` rows of `n_in` contiguous values, so `W[o][i] = values[o * n_in + i]`.
 * - Token embedding `token_embd.weight`: shape `[hidden, vocab]` (one row per token).
 * - Norm weights and biases are 1-D: shape `[n]`.
 */

/** Weight storage types we read and write. The frozen 4-bit base (Q4_0) is the "Q" in QLoRA. */
export type TensorType = "F32" | "F16" | "Q8_0" | "Q4_0";

/** Hyper-parameters of a qwen2-architecture model (GGUF keys `qwen2.*`). */
export interface Qwen2Config {
  vocabSize: number;
  /** `qwen2.embedding_length` */
  hiddenSize: number;
  /** `qwen2.block_count` */
  numLayers: number;
  /** `qwen2.feed_forward_length` */
  intermediateSize: number;
  /** `qwen2.attention.head_count` */
  numHeads: number;
  /** `qwen2.attention.head_count_kv` (grouped-query attention when < numHeads) */
  numKvHeads: number;
  /** `qwen2.context_length` */
  contextLength: number;
  /** `qwen2.attention.layer_norm_rms_epsilon` */
  rmsNormEps: number;
  /** `qwen2.rope.freq_base`; Qwen2 uses NEOX-style RoPE. */
  ropeTheta: number;
  /** true when there is no `output.weight` and the output layer reuses `token_embd.weight`. */
  tiedEmbeddings: boolean;
}

/** One tensor, always available dequantized as float32 values in ggml order. */
export interface Tensor {
  name: string;
  /** ggml `ne` order, fastest dimension first. */
  shape: number[];
  /** How the tensor is (or will be) stored in the GGUF file. */
  type: TensorType;
  /** Dequantized values, `shape` product long, ggml order. */
  values: Float32Array;
  /** The stored bytes for quantized types (blocks as ggml lays them out), when known. */
  raw?: Uint8Array;
}

/** Tokenizer carried in the GGUF (`tokenizer.ggml.model = "gpt2"`, byte-level BPE). */
export interface BpeTokenizerSpec {
  /** Token strings in GPT-2 byte-to-unicode form, index = token id. */
  tokens: string[];
  /** Merge rules "left right", in priority order. */
  merges: string[];
  /** Ids of special tokens by name: `<|endoftext|>`, `<|im_start|>`, `<|im_end|>`. */
  special: { endOfText: number; imStart: number; imEnd: number };
  /** GGUF `tokenizer.ggml.pre`, e.g. "qwen2". */
  pre: string;
}

/** A whole qwen2 model: config, tokenizer and named tensors (GGUF names). */
export interface Qwen2Model {
  name: string;
  config: Qwen2Config;
  tokenizer: BpeTokenizerSpec;
  tensors: Map<string, Tensor>;
}

/** One LoRA pair for a base tensor: delta W = (alpha / rank) * B · A. */
export interface LoraPair {
  /** Base tensor name, e.g. `blk.0.attn_q.weight` (GGUF names `<base>.lora_a` / `<base>.lora_b`). */
  target: string;
  nIn: number;
  nOut: number;
  /** A: ggml shape [n_in, r] — r rows of n_in values. */
  a: Float32Array;
  /** B: ggml shape [r, n_out] — n_out rows of r values. */
  b: Float32Array;
}

/** A LoRA adapter as llama.cpp loads it (`general.type = "adapter"`, `adapter.type = "lora"`). */
export interface LoraAdapter {
  rank: number;
  alpha: number;
  pairs: LoraPair[];
}
