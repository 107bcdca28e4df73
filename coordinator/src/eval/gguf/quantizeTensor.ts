import type { TensorType } from "../model/types.js";
import { GgufQuantizationError } from "./errors.js";
import { fp32ToFp16Bits } from "./float16.js";

export interface QuantizeTensorParameters {
  /** Values in ggml order (float32 is what ggml quantizes from; wider inputs are rounded first). */
  values: ArrayLike<number>;
  /** ggml `ne`; `shape[0]` must be a multiple of 32 for Q8_0 / Q4_0. */
  shape: readonly number[];
  type: TensorType;
  /** Named in error messages. */
  name?: string;
}

const QK = 32;
const fround = Math.fround;

/** C `roundf`: halves away from zero (JS Math.round sends -2.5 to -2). */
function roundf(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * Encode values into ggml's block layout, bit-for-bit what ggml's reference quantizers
 * (`quantize_row_q8_0_ref`, `quantize_row_q4_0_ref`) and GGML_FP32_TO_FP16 produce, all
 * arithmetic in float32:
 * - Q8_0 block (34 B): fp16 d = amax/127, then 32 int8 q = roundf(x · (1/d)).
 * - Q4_0 block (18 B): d = m/-8 where m is the first value of largest magnitude (sign kept),
 *   fp16 d, then 16 bytes: byte j = (q_j) | (q_{j+16} << 4), q = min(15, trunc(x/d + 8.5)).
 */
export function quantizeTensor({ values, shape, type, name = "tensor" }: QuantizeTensorParameters): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new GgufQuantizationError(`${name}: ${values.length} values for shape [${shape.join(", ")}] (${count} expected)`);
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(values[i])) {
      throw new GgufQuantizationError(`${name}: value ${i} is ${values[i]}; only finite values can be stored`);
    }
  }
  if ((type === "Q8_0" || type === "Q4_0") && shape[0] % QK !== 0) {
    throw new GgufQuantizationError(
      `${name}: ${type} needs rows of whole 32-value blocks but shape[0] is ${shape[0]}; use F32 or F16 for this tensor`,
    );
  }
  switch (type) {
    case "F32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = values[i];
      return new Uint8Array(out.buffer);
    }
    case "F16": {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) out[i] = fp32ToFp16Bits(values[i]);
      return new Uint8Array(out.buffer);
    }
    case "Q8_0":
      return quantizeQ8_0(values, count);
    case "Q4_0":
      return quantizeQ4_0(values, count);
  }
}

function quantizeQ8_0(values: ArrayLike<number>, count: number): Uint8Array {
  const nb = count / QK;
  const out = new Uint8Array(nb * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const base = b * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(fround(values[base + j])));
    const d = fround(amax / 127);
    const id = d !== 0 ? fround(1 / d) : 0;
    view.setUint16(b * 34, fp32ToFp16Bits(d), true);
    for (let j = 0; j < QK; j++) {
      view.setInt8(b * 34 + 2 + j, roundf(fround(fround(values[base + j]) * id)));
    }
  }
  return out;
}

function quantizeQ4_0(values: ArrayLike<number>, count: number): Uint8Array {
  const nb = count / QK;
  const out = new Uint8Array(nb * 18);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const base = b * QK;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK; j++) {
      const v = fround(values[base + j]);
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fround(max / -8);
    const id = d !== 0 ? fround(1 / d) : 0;
    view.setUint16(b * 18, fp32ToFp16Bits(d), true);
    for (let j = 0; j < QK / 2; j++) {
      const x0 = fround(fround(values[base + j]) * id);
      const x1 = fround(fround(values[base + QK / 2 + j]) * id);
      const q0 = Math.min(15, Math.trunc(fround(x0 + 8.5)));
      const q1 = Math.min(15, Math.trunc(fround(x1 + 8.5)));
      out[b * 18 + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}
