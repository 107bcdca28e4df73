import type { GgufValue } from "./types.js";

/** Typed lookups into GGUF metadata; `undefined` when the key is missing or has another type. */
export function metadataString(metadata: ReadonlyMap<string, GgufValue>, key: string): string | undefined {
  const v = metadata.get(key);
  return v?.type === "string" ? v.value : undefined;
}

const INTEGER_TYPES = new Set(["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64"]);

export function metadataInteger(metadata: ReadonlyMap<string, GgufValue>, key: string): number | undefined {
  const v = metadata.get(key);
  if (v === undefined || !INTEGER_TYPES.has(v.type)) return undefined;
  const n = Number(v.value);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function metadataFloat(metadata: ReadonlyMap<string, GgufValue>, key: string): number | undefined {
  const v = metadata.get(key);
  return v?.type === "float32" || v?.type === "float64" ? v.value : undefined;
}

export function metadataStringArray(metadata: ReadonlyMap<string, GgufValue>, key: string): string[] | undefined {
  const v = metadata.get(key);
  return v?.type === "array" && v.itemType === "string" ? (v.value as string[]) : undefined;
}

export function metadataIntegerArray(metadata: ReadonlyMap<string, GgufValue>, key: string): number[] | undefined {
  const v = metadata.get(key);
  return v?.type === "array" && INTEGER_TYPES.has(v.itemType) ? (v.value as unknown[]).map(Number) : undefined;
}
