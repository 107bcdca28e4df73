/**
 * The command line was wrong (unknown option, missing or malformed value). Printed with the
 * command's usage; exit code 2. Nothing was sent.
 */
export class CliUsageError extends Error {
  override name = "CliUsageError";
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/**
 * A command that could not do its work for a reason the user can act on (a bad input file, an
 * unreachable RPC, a refused account). The message says what to do next; exit code 1.
 */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
