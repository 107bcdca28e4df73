/** Errors of the llama.cpp scorer. Each names the input at fault and what to do next. */
import type { SequenceScore } from "./types.js";

export class ScoringError extends Error {
  override name = "ScoringError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A sequence does not fit the context. Scores are never computed over a truncated or windowed history. */
export class ScoringSequenceTooLongError extends ScoringError {
  override name = "ScoringSequenceTooLongError";
  constructor(
    readonly sequenceId: string,
    readonly length: number,
    readonly maxLength: number,
  ) {
    super(
      `sequence ${sequenceId} has ${length} tokens but the scoring context holds at most ${maxLength}; ` +
        "shorten or drop the example (dataset size limits), or create the engine with a larger contextSize (up to the model's context_length)",
    );
  }
}

/** A sequence is malformed (token outside the vocabulary, bad scoreFrom). */
export class ScoringInputError extends ScoringError {
  override name = "ScoringInputError";
}

/** `signal` was aborted; `completed` holds the scores finished before the stop (in input order, a prefix). */
export class ScoringAbortedError extends ScoringError {
  override name = "ScoringAbortedError";
  constructor(
    readonly completed: SequenceScore[],
    options?: { cause?: unknown },
  ) {
    super(`scoring stopped after ${completed.length} sequences; completed scores are attached, score the rest to resume`, options);
  }
}
