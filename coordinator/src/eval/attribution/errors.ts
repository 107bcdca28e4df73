/** Errors of the marginal-contribution estimators; each says what to do next. */

export class AttributionError extends Error {
  override name = "AttributionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A set of players that is not a set of distinct indices in 0..n-1. */
export class InvalidCoalitionError extends AttributionError {
  override name = "InvalidCoalitionError";
  constructor(
    readonly members: readonly number[],
    readonly players: number,
    reason: string,
  ) {
    super(`Coalition [${members.join(", ")}] is invalid for ${players} players: ${reason}. Pass distinct integer indices in 0..${players - 1}.`);
  }
}

/** The utility returned something that is not a finite number. */
export class UtilityValueError extends AttributionError {
  override name = "UtilityValueError";
  constructor(
    readonly members: readonly number[],
    readonly value: unknown,
  ) {
    super(
      `Utility of [${members.join(", ")}] is ${String(value)}, not a finite number. ` +
        "Check the training run and holdout scoring for this subset (a diverged training gives NaN).",
    );
  }
}

/** The estimator cannot run with these parameters (too many players, too few samples...). */
export class EstimatorParameterError extends AttributionError {
  override name = "EstimatorParameterError";
}

/** A persisted utility cache cannot be used (unreadable, corrupt, or made for other inputs). */
export class UtilityCacheError extends AttributionError {
  override name = "UtilityCacheError";
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (${file}). Move the file away to start afresh, or pass the inputs it was made for.`, options);
  }
}

/** Two contributions share an id, or an id is empty. */
export class ContributionIdError extends AttributionError {
  override name = "ContributionIdError";
}

/** A contribution's example texts do not line up with its example hashes. */
export class ExampleTextsError extends AttributionError {
  override name = "ExampleTextsError";
}

/** A value cannot become an on-chain score (not finite, or out of range). */
export class ScoreVectorError extends AttributionError {
  override name = "ScoreVectorError";
}
