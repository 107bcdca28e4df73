import type { GgmlTypeName } from "./types.js";
import { GgufQuantizationError } from "./errors.js";
import { fp16BitsToFp32 } from "./float16.js";
import { GGML_TYPES } from "./ggmlTypes.js";

export interface DequantizeTensorParameters {
  data: Uint8Array;
  type: GgmlTypeName;
  /** Number of values (product of the shape). */
  count: number;
  name?: string;
}

const QK = 32;

/** Decode ggml blocks to float32 values (`dequantize_row_*` in ggml). Exact: every result is representable. */
export function dequantizeTensor({ data, type, count, name = "tensor" }: DequantizeTensorParameters): Float32Array {
  const { blockSize, typeSize } = GGML_TYPES[type];
  const need = (count / blockSize) * typeSize;
  if (!Number.isInteger(count / blockSize) || data.byteLength !== need) {
    throw new GgufQuantizationError(`${name}: ${data.byteLength} bytes of ${type} cannot hold ${count} values (${need} bytes expected)`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(count);
  switch (type) {
    case "F32":
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case "F16":
      for (let i = 0; i < count; i++) out[i] = fp16BitsToFp32(view.getUint16(i * 2, true));
      return out;
    case "BF16":
      for (let i = 0; i < count; i++) {
        const u = new Uint32Array([view.getUint16(i * 2, true) << 16]);
        out[i] = new Float32Array(u.buffer)[0];
      }
      return out;
    case "Q8_0":
      for (let b = 0; b < count / QK; b++) {
        const d = fp16BitsToFp32(view.getUint16(b * 34, true));
        for (let j = 0; j < QK; j++) out[b * QK + j] = view.getInt8(b * 34 + 2 + j) * d;
      }
      return out;
    case "Q4_0":
      for (let b = 0; b < count / QK; b++) {
        const d = fp16BitsToFp32(view.getUint16(b * 18, true));
        for (let j = 0; j < QK / 2; j++) {
          const byte = data[b * 18 + 2 + j];
          out[b * QK + j] = ((byte & 0x0f) - 8) * d;
          out[b * QK + j + QK / 2] = ((byte >> 4) - 8) * d;
        }
      }
      return out;
    default:
      throw new GgufQuantizationError(`${name}: dequantizing ${type} is not implemented; convert the tensor to F32, F16, Q8_0 or Q4_0`);
  }
}
