/** Replay cannot start: the record or an input it names is not usable. */
export class ReplayError extends Error {
  override name = "ReplayError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}
