import type { GgufArrayItems, GgufScalarType, GgufValue, GgufWriteTensor } from "./types.js";
import { GgufError } from "./errors.js";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GGML_TYPES, ggmlTensorByteLength } from "./ggmlTypes.js";

export interface WriteGgufParameters {
  /** Written in iteration order. `general.alignment` (uint32) sets the alignment when present. */
  metadata: Map<string, GgufValue> | Iterable<[string, GgufValue]>;
  /** Written in order; each tensor's bytes start on an aligned offset. */
  tensors: readonly GgufWriteTensor[];
}

const TYPE_ID: Record<GgufScalarType | "array", number> = {
  uint8: 0, int8: 1, uint16: 2, int16: 3, uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9, uint64: 10, int64: 11, float64: 12,
};

/** Growable little-endian byte sink. */
class Sink {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  pos = 0;
  private readonly utf8 = new TextEncoder();
  private ensure(n: number) {
    if (this.pos + n <= this.buf.byteLength) return;
    let size = this.buf.byteLength * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.ensure(1); this.view.setUint8(this.pos, v); this.pos += 1; }
  i8(v: number) { this.ensure(1); this.view.setInt8(this.pos, v); this.pos += 1; }
  u16(v: number) { this.ensure(2); this.view.setUint16(this.pos, v, true); this.pos += 2; }
  i16(v: number) { this.ensure(2); this.view.setInt16(this.pos, v, true); this.pos += 2; }
  u32(v: number) { this.ensure(4); this.view.setUint32(this.pos, v, true); this.pos += 4; }
  i32(v: number) { this.ensure(4); this.view.setInt32(this.pos, v, true); this.pos += 4; }
  f32(v: number) { this.ensure(4); this.view.setFloat32(this.pos, v, true); this.pos += 4; }
  f64(v: number) { this.ensure(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; }
  u64(v: bigint | number) { this.ensure(8); this.view.setBigUint64(this.pos, BigInt(v), true); this.pos += 8; }
  i64(v: bigint) { this.ensure(8); this.view.setBigInt64(this.pos, v, true); this.pos += 8; }
  str(s: string) { const b = this.utf8.encode(s); this.u64(b.byteLength); this.bytes(b); }
  bytes(b: Uint8Array) { this.ensure(b.byteLength); this.buf.set(b, this.pos); this.pos += b.byteLength; }
  padTo(alignment: number) { const n = (alignment - (this.pos % alignment)) % alignment; this.ensure(n); this.pos += n; }
  result() { return this.buf.slice(0, this.pos); }
}

function checkInt(key: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new GgufError(`metadata ${key}: ${String(v)} is not an integer in [${min}, ${max}]`);
  }
  return v;
}

function writeScalar(s: Sink, key: string, type: GgufScalarType, v: unknown): void {
  switch (type) {
    case "uint8": return s.u8(checkInt(key, v, 0, 0xff));
    case "int8": return s.i8(checkInt(key, v, -0x80, 0x7f));
    case "uint16": return s.u16(checkInt(key, v, 0, 0xffff));
    case "int16": return s.i16(checkInt(key, v, -0x8000, 0x7fff));
    case "uint32": return s.u32(checkInt(key, v, 0, 0xffffffff));
    case "int32": return s.i32(checkInt(key, v, -0x80000000, 0x7fffffff));
    case "float32": if (typeof v !== "number") break; return s.f32(v);
    case "float64": if (typeof v !== "number") break; return s.f64(v);
    case "bool": if (typeof v !== "boolean") break; return s.u8(v ? 1 : 0);
    case "string": if (typeof v !== "string") break; return s.str(v);
    case "uint64":
      if (typeof v !== "bigint" || v < 0n || v >= 1n << 64n) break;
      return s.u64(v);
    case "int64":
      if (typeof v !== "bigint" || v < -(1n << 63n) || v >= 1n << 63n) break;
      return s.i64(v);
  }
  throw new GgufError(`metadata ${key}: ${String(v)} is not a valid ${type}`);
}

function writeValue(s: Sink, key: string, value: GgufValue): void {
  if (value.type !== "array") return writeScalar(s, key, value.type, value.value);
  s.u32(TYPE_ID[value.itemType]);
  const items: GgufArrayItems = value.value;
  s.u64(items.length);
  for (const item of items) {
    if (value.itemType === "array") {
      const inner = item as GgufValue;
      if (inner.type !== "array") throw new GgufError(`metadata ${key}: an array of arrays holds a ${inner.type}`);
      writeValue(s, key, inner);
    } else {
      writeScalar(s, key, value.itemType, item);
    }
  }
}

/**
 * Serialize a GGUF v3 file. Deterministic: the same metadata and tensors in the same order
 * give the same bytes (padding is zeros). Tensor data sizes are checked against type and shape.
 */
export function writeGguf({ metadata, tensors }: WriteGgufParameters): Uint8Array {
  const entries = [...metadata];
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  for (const [key, value] of entries) {
    if (key === "general.alignment") {
      if (value.type !== "uint32" || value.value === 0 || (value.value & (value.value - 1)) !== 0) {
        throw new GgufError("general.alignment must be a uint32 power of two");
      }
      alignment = value.value;
    }
  }
  const offsets: number[] = [];
  let dataLength = 0;
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new GgufError(`tensor ${t.name} is listed twice`);
    names.add(t.name);
    if (t.shape.length < 1 || t.shape.length > 4 || t.shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new GgufError(`tensor ${t.name}: shape [${t.shape.join(", ")}] must have 1 to 4 positive integer dimensions`);
    }
    if (t.shape[0] % GGML_TYPES[t.type].blockSize !== 0) {
      throw new GgufError(`tensor ${t.name}: ${t.type} needs ne[0] to be a multiple of ${GGML_TYPES[t.type].blockSize}`);
    }
    const expected = ggmlTensorByteLength(t.type, t.shape);
    if (t.data.byteLength !== expected) {
      throw new GgufError(`tensor ${t.name}: ${t.data.byteLength} bytes given, ${t.type} [${t.shape.join(", ")}] takes ${expected}`);
    }
    offsets.push(dataLength);
    dataLength += Math.ceil(expected / alignment) * alignment;
  }

  const s = new Sink();
  s.u32(GGUF_MAGIC);
  s.u32(GGUF_VERSION);
  s.u64(tensors.length);
  s.u64(entries.length);
  const keys = new Set<string>();
  for (const [key, value] of entries) {
    if (keys.has(key)) throw new GgufError(`metadata key ${key} is given twice`);
    keys.add(key);
    s.str(key);
    s.u32(TYPE_ID[value.type]);
    writeValue(s, key, value);
  }
  tensors.forEach((t, i) => {
    s.str(t.name);
    s.u32(t.shape.length);
    for (const d of t.shape) s.u64(d);
    s.u32(GGML_TYPES[t.type].id);
    s.u64(offsets[i]);
  });
  s.padTo(alignment);
  for (const t of tensors) {
    s.bytes(t.data);
    s.padTo(alignment);
  }
  return s.result();
}
