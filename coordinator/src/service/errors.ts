/** The coordinator service's errors: a short message, the cause, and what to do next. */
export class ServiceError extends Error {
  override name = "ServiceError";
  readonly hint: string | undefined;
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(options.hint ? `${message} ${options.hint}` : message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

/** The state file under the data dir is unreadable or belongs to another deployment. */
export class ServiceStateError extends ServiceError {
  override name = "ServiceStateError";
  constructor(readonly file: string, problem: string, options: { cause?: unknown; hint?: string } = {}) {
    super(`The coordinator state file ${file} ${problem}.`, {
      ...options,
      hint: options.hint ?? "Point dataDir at this deployment's own directory, or move the file away to start over (finished evals stay cached per Forge).",
    });
  }
}

/** The job journal of a Forge's eval is unreadable. */
export class JobJournalError extends ServiceError {
  override name = "JobJournalError";
  constructor(readonly file: string, problem: string, options: { cause?: unknown } = {}) {
    super(`The training-job journal ${file} ${problem}.`, { ...options, hint: "Move it away to retrain the jobs it recorded." });
  }
}
