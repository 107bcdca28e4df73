/**
 * GGUF v3 as a plain value: ordered metadata with explicit value types (so a file read and
 * written back is byte-identical) and tensor infos pointing into the data section.
 * Spec: ggml/docs/gguf.md. Integers wider than 32 bits are bigint.
 */
import type { TensorType } from "../model/types.js";

export type GgufScalarType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "float32"
  | "bool"
  | "string"
  | "uint64"
  | "int64"
  | "float64";

/** A metadata value with its GGUF type. Arrays are homogeneous (nested arrays allowed). */
export type GgufValue =
  | { type: "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64"; value: number }
  | { type: "uint64" | "int64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "array"; itemType: GgufScalarType | "array"; value: GgufArrayItems };

export type GgufArrayItems = number[] | bigint[] | boolean[] | string[] | GgufValue[];

/** ggml tensor types this code can size, read and (for `TensorType`) write. */
export type GgmlTypeName = TensorType | "Q4_1" | "Q5_0" | "Q5_1" | "BF16";

export interface GgufTensorInfo {
  name: string;
  /** ggml `ne`, fastest dimension first. */
  shape: number[];
  type: GgmlTypeName;
  /** Offset of the tensor's bytes from the start of the data section. */
  offset: number;
  byteLength: number;
}

export interface GgufFile {
  version: number;
  /** Insertion-ordered, as in the file. */
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset of the data section in the file. */
  dataOffset: number;
  /** The data section (absent when read with `headerOnly`). */
  data?: Uint8Array;
}

/** What `writeGguf` takes: tensors carry their stored bytes. */
export interface GgufWriteTensor {
  name: string;
  shape: number[];
  type: GgmlTypeName;
  data: Uint8Array;
}
