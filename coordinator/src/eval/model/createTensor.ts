import { dequantizeTensor } from "../gguf/dequantizeTensor.js";
import { quantizeTensor } from "../gguf/quantizeTensor.js";
import type { Tensor, TensorType } from "./types.js";

/**
 * A tensor stored as `type`: quantized types keep their block bytes in `raw` and their
 * `values` are the dequantized numbers, so in-memory math sees exactly what the file holds.
 */
export function createTensor(name: string, shape: number[], type: TensorType, values: ArrayLike<number>): Tensor {
  const raw = quantizeTensor({ values, shape, type, name });
  const count = shape.reduce((a, b) => a * b, 1);
  return { name, shape, type, values: dequantizeTensor({ data: raw, type, count, name }), raw: type === "F32" ? undefined : raw };
}
