import { parseDatasetJsonl } from "../../../coordinator/src/eval/dataset/parseDatasetJsonl.js";
import { MAX_FILE_BYTES } from "../../../coordinator/src/eval/dataset/limits.js";
import type { DatasetLineError } from "../../../coordinator/src/eval/dataset/types.js";

export type ValidateDataFileReturnType =
  | { ok: true; exampleCount: number; sizeBytes: number }
  | { ok: false; errors: DatasetLineError[]; exampleCount: number };

/**
 * The project's own dataset check (coordinator/src/eval/dataset, the same code the enclave runs),
 * in the browser: every refused line with its number and reason, so a contributor fixes all of
 * them in one round. A file with any refused line is not contributed (the eval would exclude it).
 */
export function validateDataFile(bytes: Uint8Array): ValidateDataFileReturnType {
  if (bytes.length > MAX_FILE_BYTES) {
    return { ok: false, exampleCount: 0, errors: [{ line: 0, code: "file-too-large", reason: `the file is ${bytes.length} bytes, over the limit of ${MAX_FILE_BYTES}` }] };
  }
  const { examples, errors } = parseDatasetJsonl(bytes);
  if (errors.length > 0) return { ok: false, errors, exampleCount: examples.length };
  return { ok: true, exampleCount: examples.length, sizeBytes: bytes.length };
}

/** A refused line in words: "Line 3: not valid JSON (…)"; line 0 is the whole file. */
export function describeLineError(e: DatasetLineError): string {
  return e.line === 0 ? `File: ${e.reason}` : `Line ${e.line}: ${e.reason}`;
}
