import type { DatasetLineError } from "./types.js";

/** How many line errors a `DatasetError` message spells out; all of them stay in `errors`. */
const SHOWN = 5;

export interface DatasetErrorParameters {
  /** Every refused line, in file order. */
  errors: DatasetLineError[];
  /** Where the bytes came from (a path or a content root), for the message. */
  source?: string;
  cause?: unknown;
}

/**
 * A contribution file that cannot be used as a whole. Not retryable: the file itself must be
 * fixed. Thrown only by the strict parser; `parseDatasetJsonl` reports the same errors as data.
 */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
  readonly errors: DatasetLineError[];
  readonly source: string | undefined;

  constructor({ errors, source, cause }: DatasetErrorParameters) {
    const where = source ? ` in ${source}` : "";
    const listed = errors
      .slice(0, SHOWN)
      .map((e) => (e.line === 0 ? `  file: ${e.reason}` : `  line ${e.line}: ${e.reason}`))
      .join("\n");
    const more = errors.length > SHOWN ? `\n  … and ${errors.length - SHOWN} more` : "";
    super(
      `${errors.length} invalid line${errors.length === 1 ? "" : "s"}${where}:\n${listed}${more}\n` +
        "Fix these lines (format: coordinator/src/eval/dataset/README.md) and submit the file again.",
      { cause },
    );
    this.errors = errors;
    this.source = source;
  }
}
