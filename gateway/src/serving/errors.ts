/** Errors of the serving engine that are not API errors of their own (see gateway/src/errors.ts for those). */

/** The caller aborted (client disconnect): nothing more is generated; what was already delivered is the caller's to charge. */
export class GenerationAbortedError extends Error {
  override name = "GenerationAbortedError";
  constructor(
    /** Tokens generated before the stop (0 when it was still queued). */
    readonly completionTokens: number,
    options?: { cause?: unknown },
  ) {
    super(`generation was aborted after ${completionTokens} tokens (the client went away)`, options);
  }
}

/** The engine cannot serve (disposed, llama.cpp failed to load or run). */
export class ServingError extends Error {
  override name = "ServingError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
