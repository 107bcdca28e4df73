import type { GgufFile, GgufScalarType, GgufTensorInfo, GgufValue } from "./types.js";
import { GgufParseError, GgufTruncatedError } from "./errors.js";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGML_TYPES, ggmlTensorByteLength, ggmlTypeFromId } from "./ggmlTypes.js";

export interface ReadGgufOptions {
  /**
   * Parse the header only; `bytes` may be a prefix of the file (a `GgufTruncatedError` means
   * the prefix ended inside the header: read more and retry). Tensor data is not checked.
   */
  headerOnly?: boolean;
}

const VALUE_TYPES: readonly (GgufScalarType | "array")[] = [
  "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64",
];

/** Bounds-checked little-endian cursor; every read says what it was reading when it runs out. */
class Cursor {
  pos = 0;
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder("utf-8", { fatal: true });
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.byteLength) {
      throw new GgufTruncatedError(`GGUF ends while reading ${what}: ${n} bytes needed, ${this.bytes.byteLength - this.pos} left`, this.pos);
    }
  }
  u8(what: string) { this.need(1, what); return this.view.getUint8(this.pos++); }
  i8(what: string) { this.need(1, what); return this.view.getInt8(this.pos++); }
  u16(what: string) { this.need(2, what); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  i16(what: string) { this.need(2, what); const v = this.view.getInt16(this.pos, true); this.pos += 2; return v; }
  u32(what: string) { this.need(4, what); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(what: string) { this.need(4, what); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f32(what: string) { this.need(4, what); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  f64(what: string) { this.need(8, what); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  u64(what: string) { this.need(8, what); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  i64(what: string) { this.need(8, what); const v = this.view.getBigInt64(this.pos, true); this.pos += 8; return v; }
  /** A u64 that must fit a JS number and not exceed `max` (counts and lengths). */
  count(what: string, max: number): number {
    const start = this.pos;
    const v = this.u64(what);
    if (v > BigInt(max)) throw new GgufParseError(`${what} is ${v}, more than this file can hold (${max})`, start);
    return Number(v);
  }
  str(what: string): string {
    const len = this.count(`length of ${what}`, this.bytes.byteLength);
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    try {
      return this.utf8.decode(this.bytes.subarray(start, start + len));
    } catch (cause) {
      throw new GgufParseError(`${what} is not valid UTF-8`, start, { cause });
    }
  }
}

function readScalar(c: Cursor, type: GgufScalarType, what: string): number | bigint | boolean | string {
  switch (type) {
    case "uint8": return c.u8(what);
    case "int8": return c.i8(what);
    case "uint16": return c.u16(what);
    case "int16": return c.i16(what);
    case "uint32": return c.u32(what);
    case "int32": return c.i32(what);
    case "float32": return c.f32(what);
    case "float64": return c.f64(what);
    case "uint64": return c.u64(what);
    case "int64": return c.i64(what);
    case "string": return c.str(what);
    case "bool": {
      const at = c.pos;
      const b = c.u8(what);
      if (b > 1) throw new GgufParseError(`${what} is a bool with value ${b}`, at);
      return b === 1;
    }
  }
}

function readValueType(c: Cursor, what: string): GgufScalarType | "array" {
  const at = c.pos;
  const id = c.u32(`type of ${what}`);
  const type = VALUE_TYPES[id];
  if (type === undefined) throw new GgufParseError(`${what} has unknown value type ${id}`, at);
  return type;
}

function readValue(c: Cursor, type: GgufScalarType | "array", what: string, depth: number): GgufValue {
  if (type !== "array") return { type, value: readScalar(c, type, what) } as GgufValue;
  if (depth > 8) throw new GgufParseError(`${what} nests arrays more than 8 deep`, c.pos);
  const itemType = readValueType(c, `items of ${what}`);
  // Each item takes at least one byte, so the remaining length bounds the count.
  const n = c.count(`length of ${what}`, Number.MAX_SAFE_INTEGER);
  c.need(Math.min(n, 1 << 30), `items of ${what}`);
  const items: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    items[i] = itemType === "array" ? readValue(c, "array", `${what}[${i}]`, depth + 1) : readScalar(c, itemType, `${what}[${i}]`);
  }
  return { type: "array", itemType, value: items } as GgufValue;
}

/**
 * Parse a GGUF v3 file: metadata of every value type (arrays included), tensor infos, the
 * `general.alignment`-aligned data section. Throws `GgufParseError` with the byte offset on
 * anything malformed; never reads out of bounds.
 */
export function readGguf(bytes: Uint8Array, options: ReadGgufOptions = {}): GgufFile {
  const c = new Cursor(bytes);
  const magic = c.u32("magic");
  if (magic !== GGUF_MAGIC) throw new GgufParseError(`not a GGUF file (magic 0x${magic.toString(16)})`, 0);
  const version = c.u32("version");
  if (version !== 3 && version !== 2) throw new GgufParseError(`GGUF version ${version} is not supported (2 or 3 expected)`, 4);
  const tensorCount = c.count("tensor count", bytes.byteLength);
  const kvCount = c.count("metadata count", bytes.byteLength);

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const at = c.pos;
    const key = c.str(`metadata key ${i}`);
    if (metadata.has(key)) throw new GgufParseError(`metadata key "${key}" appears twice`, at);
    const type = readValueType(c, key);
    metadata.set(key, readValue(c, type, key, 0));
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const alignValue = metadata.get("general.alignment");
  if (alignValue !== undefined) {
    if (alignValue.type !== "uint32" || alignValue.value === 0 || (alignValue.value & (alignValue.value - 1)) !== 0) {
      throw new GgufParseError(`general.alignment must be a uint32 power of two`, 0);
    }
    alignment = alignValue.value;
  }

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const at = c.pos;
    const name = c.str(`name of tensor ${i}`);
    if (names.has(name)) throw new GgufParseError(`tensor "${name}" appears twice`, at);
    names.add(name);
    const nDims = c.u32(`dimension count of ${name}`);
    if (nDims < 1 || nDims > 4) throw new GgufParseError(`tensor ${name} has ${nDims} dimensions (1 to 4 allowed)`, at);
    const shape: number[] = [];
    for (let d = 0; d < nDims; d++) shape.push(c.count(`dimension ${d} of ${name}`, 2 ** 40));
    const typeAt = c.pos;
    const typeId = c.u32(`type of ${name}`);
    const type = ggmlTypeFromId(typeId);
    if (type === undefined) throw new GgufParseError(`tensor ${name} has ggml type ${typeId}, which this reader cannot size`, typeAt);
    if (shape[0] % GGML_TYPES[type].blockSize !== 0) {
      throw new GgufParseError(`tensor ${name}: ${type} rows need whole blocks but ne[0] is ${shape[0]}`, at);
    }
    const offset = c.count(`offset of ${name}`, Number.MAX_SAFE_INTEGER);
    if (offset % alignment !== 0) throw new GgufParseError(`tensor ${name} offset ${offset} is not aligned to ${alignment}`, at);
    tensors.push({ name, shape, type, offset, byteLength: ggmlTensorByteLength(type, shape) });
  }

  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const file: GgufFile = { version, metadata, tensors, alignment, dataOffset };
  if (options.headerOnly) return file;

  const dataLength = bytes.byteLength - dataOffset;
  for (const t of tensors) {
    if (t.offset + t.byteLength > dataLength) {
      throw new GgufParseError(
        `tensor ${t.name} (${t.byteLength} bytes at data offset ${t.offset}) runs past the end of the file (${Math.max(0, dataLength)} data bytes)`,
        dataOffset + t.offset,
      );
    }
  }
  file.data = bytes.subarray(Math.min(dataOffset, bytes.byteLength));
  return file;
}

/** The stored bytes of one tensor of a file read with tensor data. */
export function ggufTensorData(file: GgufFile, tensor: GgufTensorInfo): Uint8Array {
  if (!file.data) throw new GgufParseError(`tensor data of ${tensor.name} was not read (headerOnly)`, file.dataOffset);
  return file.data.subarray(tensor.offset, tensor.offset + tensor.byteLength);
}
