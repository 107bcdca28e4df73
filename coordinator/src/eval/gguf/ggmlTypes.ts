/**
 * ggml tensor type ids and block geometry (ggml.h / ggml.c `type_traits`). Only types whose
 * size we know are listed; a file with any other type is rejected by the reader by name.
 */
import type { GgmlTypeName } from "./types.js";

export interface GgmlTypeTraits {
  id: number;
  /** Values per block. */
  blockSize: number;
  /** Bytes per block. */
  typeSize: number;
}

export const GGML_TYPES: Readonly<Record<GgmlTypeName, GgmlTypeTraits>> = {
  F32: { id: 0, blockSize: 1, typeSize: 4 },
  F16: { id: 1, blockSize: 1, typeSize: 2 },
  Q4_0: { id: 2, blockSize: 32, typeSize: 18 },
  Q4_1: { id: 3, blockSize: 32, typeSize: 20 },
  Q5_0: { id: 6, blockSize: 32, typeSize: 22 },
  Q5_1: { id: 7, blockSize: 32, typeSize: 24 },
  Q8_0: { id: 8, blockSize: 32, typeSize: 34 },
  BF16: { id: 30, blockSize: 1, typeSize: 2 },
};

const BY_ID = new Map<number, GgmlTypeName>(
  (Object.keys(GGML_TYPES) as GgmlTypeName[]).map((name) => [GGML_TYPES[name].id, name]),
);

export function ggmlTypeFromId(id: number): GgmlTypeName | undefined {
  return BY_ID.get(id);
}

/** Bytes a tensor of `shape` takes; rows (`shape[0]`) must hold whole blocks. */
export function ggmlTensorByteLength(type: GgmlTypeName, shape: readonly number[]): number {
  const { blockSize, typeSize } = GGML_TYPES[type];
  const count = shape.reduce((a, b) => a * b, 1);
  return (count / blockSize) * typeSize;
}

/** `general.file_type` (llama_ftype) for a model whose 2-D weights are all `type`. */
export const LLAMA_FTYPE: Readonly<Record<"F32" | "F16" | "Q4_0" | "Q8_0", number>> = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q8_0: 7,
};

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
