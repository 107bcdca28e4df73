import { dequantizeTensor } from "../gguf/dequantizeTensor.js";
import { ggufTensorData, readGguf } from "../gguf/readGguf.js";
import { validateQwen2Gguf } from "../gguf/validateQwen2Gguf.js";
import { ModelError } from "./errors.js";
import { qwen2HeaderFromGguf } from "./qwen2HeaderFromGguf.js";
import type { Qwen2Model, Tensor, TensorType } from "./types.js";

const STORABLE = new Set<string>(["F32", "F16", "Q8_0", "Q4_0"]);

/** Read a qwen2 GGUF (validated first) into memory: dequantized values plus the raw blocks. */
export function ggufToModel(bytes: Uint8Array): Qwen2Model {
  const file = readGguf(bytes);
  validateQwen2Gguf(file);
  const header = qwen2HeaderFromGguf(file);
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
    ...header,
    tensors,
  };
}
