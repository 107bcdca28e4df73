import { SafetensorsFormatError } from "./errors.js";
import { floatToBf16Bits, floatToF16Bits } from "./halfFloats.js";
import { DTYPE_BYTES, type SafetensorsDtype } from "./readSafetensors.js";

export interface WriteSafetensorsTensor {
  name: string;
  dtype: SafetensorsDtype;
  /** torch order (row-major). */
  shape: readonly number[];
  /** Row-major values; F16/BF16 are rounded to nearest even. */
  values: ArrayLike<number>;
}

/**
 * Writes a safetensors file: tensors in name order, packed back to back; the JSON header is padded
 * with spaces so the data starts 8-byte aligned, as the reference writer does.
 */
export function writeSafetensors(tensors: readonly WriteSafetensorsTensor[], metadata?: Record<string, string>): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of sorted) {
    if (t.name === "__metadata__" || t.name in header) throw new SafetensorsFormatError(`tensor name ${t.name} is reserved or repeated`);
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (count !== t.values.length) throw new SafetensorsFormatError(`tensor ${t.name} has ${t.values.length} values for shape ${JSON.stringify(t.shape)}`);
    const size = count * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of sorted) {
    for (let i = 0; i < t.values.length; i++) {
      const v = t.values[i];
      if (t.dtype === "F32") view.setFloat32(at + 4 * i, v, true);
      else view.setUint16(at + 2 * i, t.dtype === "F16" ? floatToF16Bits(v) : floatToBf16Bits(v), true);
    }
    at += t.values.length * DTYPE_BYTES[t.dtype];
  }
  return out;
}
