import type { GgufValue, GgufWriteTensor } from "../gguf/types.js";
import { writeGguf } from "../gguf/writeGguf.js";
import { ModelError } from "./errors.js";
import type { LoraAdapter } from "./types.js";

export interface LoraAdapterToGgufOptions {
  /** `general.name` of the base the adapter was trained on (recorded, not enforced by llama.cpp). */
  baseModelName: string;
  name?: string;
}

/**
 * A LoRA adapter GGUF as llama.cpp loads it: `general.type = "adapter"`, `adapter.type = "lora"`,
 * `adapter.lora.alpha`; F32 tensors `<target>.lora_a` ne [n_in, r] and `<target>.lora_b`
 * ne [r, n_out], in the adapter's pair order. llama.cpp applies W + (alpha/r)·B·A.
 */
export function loraAdapterToGguf(adapter: LoraAdapter, { baseModelName, name = "lora" }: LoraAdapterToGgufOptions): Uint8Array {
  const r = adapter.rank;
  if (!Number.isInteger(r) || r < 1) throw new ModelError(`LoRA rank must be a positive integer (got ${r})`);
  if (!Number.isFinite(adapter.alpha)) throw new ModelError(`LoRA alpha must be finite (got ${adapter.alpha})`);
  if (adapter.pairs.length === 0) throw new ModelError("a LoRA adapter needs at least one pair");
  const tensors: GgufWriteTensor[] = [];
  for (const p of adapter.pairs) {
    if (p.a.length !== p.nIn * r || p.b.length !== r * p.nOut) {
      throw new ModelError(`${p.target}: A has ${p.a.length} values (needs ${p.nIn}·${r}), B has ${p.b.length} (needs ${r}·${p.nOut})`);
    }
    tensors.push({ name: `${p.target}.lora_a`, shape: [p.nIn, r], type: "F32", data: f32Bytes(p.a) });
    tensors.push({ name: `${p.target}.lora_b`, shape: [r, p.nOut], type: "F32", data: f32Bytes(p.b) });
  }
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "qwen2" }],
    ["general.type", { type: "string", value: "adapter" }],
    ["general.name", { type: "string", value: name }],
    ["general.base_model.count", { type: "uint32", value: 1 }],
    ["general.base_model.0.name", { type: "string", value: baseModelName }],
    ["adapter.type", { type: "string", value: "lora" }],
    ["adapter.lora.alpha", { type: "float32", value: adapter.alpha }],
  ]);
  return writeGguf({ metadata, tensors });
}

function f32Bytes(values: Float32Array): Uint8Array {
  // Copy so the caller's buffer (possibly a view into something larger) is never aliased.
  return new Uint8Array(Float32Array.from(values).buffer);
}
