/** Errors of the demo pieces (demo base model, demo scenario). Each says what to do next. */
export class DemoError extends Error {
  override name = "DemoError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The demo data folder or one of its files is missing or unreadable. */
export class DemoDataError extends DemoError {
  override name = "DemoDataError";
}

/** A build or run was stopped (Ctrl-C); finished work stays cached and the next call resumes. */
export class DemoAbortedError extends DemoError {
  override name = "DemoAbortedError";
}
