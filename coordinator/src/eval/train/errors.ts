/**
 * Errors of the trainer. Each carries a short message, the cause when there is one, and what to
 * do next; `retryable` tells a job runner whether running the same job again can help.
 */
export class TrainError extends Error {
  readonly retryable: boolean;
  readonly hint: string;
  constructor(message: string, options: { hint: string; cause?: unknown; retryable?: boolean }) {
    super(`${message}. ${options.hint}`, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** The model, the sequences or the hyper-parameters cannot be trained on as given. */
export class TrainInputError extends TrainError {}

/**
 * Training stopped because the AbortSignal fired. `state` holds everything after the last
 * finished step: pass it back as `resumeFrom` to continue to the same bit-identical result.
 */
export class TrainAbortedError<S = unknown> extends TrainError {
  readonly state: S;
  readonly step: number;
  constructor(step: number, state: S, cause?: unknown) {
    super(`Training stopped after step ${step}`, {
      hint: "Pass error.state as resumeFrom (with the same inputs) to continue where it stopped",
      cause,
      retryable: true,
    });
    this.step = step;
    this.state = state;
  }
}

/** A resume state that does not belong to these inputs (other model, data, hyper-parameters or seed). */
export class TrainResumeError extends TrainError {}

/** The loss stopped being a finite number: the weights have blown up, and going on would only spread NaN. */
export class TrainDivergedError extends TrainError {
  readonly step: number;
  constructor(step: number, loss: number) {
    super(`Training diverged at step ${step + 1}: the batch loss is ${loss}`, {
      hint: "Lower the learning rate, add warm-up steps or set maxGradNorm, then train again",
    });
    this.step = step;
  }
}
