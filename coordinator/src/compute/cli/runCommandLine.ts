import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** A bad command line: `runCommandLine` prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The parsed option values of `options` (with `--help` added), as `parseArgs` types them. */
export type CommandLineValues<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O & { help: { type: "boolean"; default: false } }; strict: true }>>["values"];

export type RunCommandLineParameters<O extends ParseArgsOptionsConfig> = {
  /** Prefixes the message of an unexpected error. */
  name: string;
  usage: string;
  options: O;
  /** The command; resolves to the exit code. Throws UsageError for a bad command line. */
  main: (values: CommandLineValues<O>) => Promise<number>;
  /** Defaults to `process.argv.slice(2)`. */
  args?: string[];
};

/**
 * The compute CLIs' shared frame. Parses the command line strictly, and sets
 * `process.exitCode` from the outcome:
 * - an unknown or malformed option prints the parser's message and the usage (exit 2);
 * - `--help` prints the usage (exit 0);
 * - otherwise `main` runs and its resolved number is the exit code;
 * - a UsageError it throws prints its message and the usage (exit 2);
 * - any other error prints `<name>: <message>` (exit 1).
 */
export function runCommandLine<O extends ParseArgsOptionsConfig>(p: RunCommandLineParameters<O>): Promise<void> {
  const run = async (): Promise<number> => {
    let values: CommandLineValues<O>;
    try {
      ({ values } = parseArgs({ args: p.args ?? process.argv.slice(2), options: { ...p.options, help: { type: "boolean", default: false } }, strict: true }) as { values: CommandLineValues<O> });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if ((values as { help?: boolean }).help) {
      process.stdout.write(`${p.usage}\n`);
      return 0;
    }
    return p.main(values);
  };
  return run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n${p.usage}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`${p.name}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
