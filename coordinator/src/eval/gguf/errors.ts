/** Errors of the GGUF layer: each says what is wrong and what to do about it. */

export class GgufError extends Error {
  override name = "GgufError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The bytes are not a well-formed GGUF v3 file (truncated, bad magic, unknown type...). */
export class GgufParseError extends GgufError {
  override name = "GgufParseError";
  constructor(
    message: string,
    readonly byteOffset: number,
    options?: { cause?: unknown },
  ) {
    super(`${message} (at byte ${byteOffset}). Re-create the file with writeGguf or check it was copied completely.`, options);
  }
}

/** The file parses but ends before the header does; a caller reading a prefix can read more. */
export class GgufTruncatedError extends GgufParseError {
  override name = "GgufTruncatedError";
}

/** The file is valid GGUF but not a loadable qwen2 model or LoRA adapter; llama.cpp would abort or misbehave. */
export class GgufValidationError extends GgufError {
  override name = "GgufValidationError";
  constructor(
    readonly problems: string[],
    what: string,
  ) {
    super(
      `${what} is not loadable: ${problems.slice(0, 8).join("; ")}${problems.length > 8 ? `; and ${problems.length - 8} more` : ""}. ` +
        "Write it with modelToGguf / loraAdapterToGguf, or fix the listed keys and tensors.",
    );
  }
}

/** Values cannot be stored in the requested tensor type (shape not in whole blocks, non-finite values). */
export class GgufQuantizationError extends GgufError {
  override name = "GgufQuantizationError";
}
