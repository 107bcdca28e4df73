/**
 * Errors of the compute layer. Each has a short message, the cause when there is one, and what to
 * do next (`hint`); `retryable` says whether trying the same thing again can help.
 */
export class ComputeError extends Error {
  override name = "ComputeError";
  readonly retryable: boolean;
  readonly hint: string;
  constructor(message: string, options: { hint: string; cause?: unknown; retryable?: boolean }) {
    super(`${message}. ${options.hint}`, { cause: options.cause });
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** A job or its sequences are malformed or inconsistent (a planner bug or a tampered job file). */
export class JobInputError extends ComputeError {
  override name = "JobInputError";
}

/** A key (file or bytes) is not a usable Ed25519 private or public key. */
export class ComputeKeyError extends ComputeError {
  override name = "ComputeKeyError";
}

/** A worker did not answer within its time limit. */
export class WorkerTimeoutError extends ComputeError {
  override name = "WorkerTimeoutError";
  constructor(
    readonly computeId: number,
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super(`Worker ${computeId} gave no result for job ${jobId} within ${timeoutMs} ms`, {
      hint: "Check that the worker process is running and polling this queue, or raise the timeout",
      retryable: true,
    });
  }
}

/** A worker reported that it could not run the job (its own error, carried through the transport). */
export class WorkerJobFailedError extends ComputeError {
  override name = "WorkerJobFailedError";
  constructor(
    readonly computeId: number,
    readonly jobId: string,
    detail: string,
  ) {
    super(`Worker ${computeId} failed job ${jobId}: ${detail}`, { hint: "See the worker's log; the pool routes the job to another worker", retryable: true });
  }
}

/** The file queue cannot be used (unreadable directory, malformed file). */
export class QueueError extends ComputeError {
  override name = "QueueError";
}
