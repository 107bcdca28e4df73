/** The command line was wrong (unknown option, missing argument): printed with the command's usage, exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}
