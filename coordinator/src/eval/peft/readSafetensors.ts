import { SafetensorsFormatError } from "./errors.js";
import { bf16BitsToFloat, f16BitsToFloat } from "./halfFloats.js";

/** Float dtypes PEFT writes adapters in. */
export type SafetensorsDtype = "F32" | "F16" | "BF16";
export const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  /** torch order: last dimension fastest (row-major). */
  shape: number[];
  /** Values widened to float32, row-major. */
  values: Float32Array;
}

export interface ReadSafetensorsReturnType {
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsTensor>;
}

/** Headers beyond this are refused (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Reads a safetensors file: an 8-byte little-endian header length N, N bytes of JSON
 * `{ "__metadata__"?: {string: string}, name: { dtype, shape, data_offsets: [begin, end] } }`, then
 * the data; offsets are relative to the end of the header and must tile the data exactly (no
 * gaps, no overlaps, nothing left over), as the format requires.
 */
export function readSafetensors(bytes: Uint8Array): ReadSafetensorsReturnType {
  if (bytes.length < 8) throw new SafetensorsFormatError(`${bytes.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new SafetensorsFormatError(`header length ${headerLength} runs past the ${bytes.length}-byte file (or over ${MAX_HEADER_BYTES})`);
  }
  const n = Number(headerLength);
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith("{")) throw new Error("the header does not start with '{'");
    header = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsFormatError(`the header is not UTF-8 JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new SafetensorsFormatError("the header is not a JSON object");

  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new SafetensorsFormatError("__metadata__ is not an object");
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== "string") throw new SafetensorsFormatError(`__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) throw new SafetensorsFormatError(`tensor ${name} has no description`);
    if (e.dtype !== "F32" && e.dtype !== "F16" && e.dtype !== "BF16") {
      throw new SafetensorsFormatError(`tensor ${name} has dtype ${String(e.dtype)}; only F32, F16 and BF16 adapters are supported`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsFormatError(`tensor ${name} has shape ${JSON.stringify(e.shape)}, not a list of sizes`);
    }
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      throw new SafetensorsFormatError(`tensor ${name} has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const dtype = e.dtype;
    const shape = e.shape as number[];
    const count = shape.reduce((a, d) => a * d, 1);
    if (end - begin !== count * DTYPE_BYTES[dtype]) {
      throw new SafetensorsFormatError(`tensor ${name} (${dtype} ${JSON.stringify(shape)}) needs ${count * DTYPE_BYTES[dtype]} bytes but its offsets span ${end - begin}`);
    }
    if (end > data.length) throw new SafetensorsFormatError(`tensor ${name} ends at byte ${end} of a ${data.length}-byte data section (truncated file?)`);
    spans.push({ name, begin, end });
    tensors.set(name, { dtype, shape: [...shape], values: decode(data.subarray(begin, end), dtype, count) });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const s of spans) {
    if (s.begin !== cursor) {
      throw new SafetensorsFormatError(s.begin < cursor ? `tensor ${s.name} overlaps the tensor before it` : `a gap of ${s.begin - cursor} bytes precedes tensor ${s.name}`);
    }
    cursor = s.end;
  }
  if (cursor !== data.length) throw new SafetensorsFormatError(`${data.length - cursor} bytes after the last tensor belong to no tensor`);
  return { metadata, tensors };
}

function decode(bytes: Uint8Array, dtype: SafetensorsDtype, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === "F32") for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  else if (dtype === "F16") for (let i = 0; i < count; i++) out[i] = f16BitsToFloat(view.getUint16(2 * i, true));
  else for (let i = 0; i < count; i++) out[i] = bf16BitsToFloat(view.getUint16(2 * i, true));
  return out;
}
