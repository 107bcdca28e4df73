import { HintedError } from "../HintedError.js";

/**
 * Errors of the witness part (batches, RFC 3161 time-stamps, the on-chain anchor). Each says what
 * to do next. Verifying an untrusted witness never throws these: `verifyWitness` reports checks.
 */
export class WitnessError extends HintedError {
  override name = "WitnessError";
}

/** An argument to a witness action is malformed (a programming error). */
export class WitnessInputError extends WitnessError {
  override name = "WitnessInputError";
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
    hint: string,
  ) {
    super(`Invalid ${field}: ${reason}`, { hint });
  }
}

/** The time-stamping authority could not be reached, refused, or answered something that does not time-stamp what was asked. Retryable: the batch is kept and asked for again. */
export class TimeStampError extends WitnessError {
  override name = "TimeStampError";
  constructor(
    readonly tsaUrl: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`The time-stamping authority at ${tsaUrl} gave no usable time-stamp: ${reason}`, {
      hint: "check witness.tsaUrl and that the TSA answers application/timestamp-query with SHA-256; the batch is retried on the next flush",
      ...options,
    });
  }
}

/** Rekor could not be reached or refused a batch root's entry. Retryable: the batch is kept and sent again at the next batch or interval. */
export class RekorError extends WitnessError {
  override name = "RekorError";
  constructor(
    readonly rekorUrl: string,
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`Rekor at ${rekorUrl} did not log the batch root: ${reason}`, {
      hint: "check witness.rekor.url and that this host reaches it (rekor.sigstore.dev needs internet access); the batch is sent again later",
      ...options,
    });
  }
}
