/** A process of the local app stack (the worker) did not start; the message ends with what to do next. */
export class AppWorkerError extends Error {
  override name = "AppWorkerError";
  readonly hint: string;
  constructor(message: string, options: { hint: string; cause?: unknown }) {
    super(`${message} ${options.hint}.`, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}
