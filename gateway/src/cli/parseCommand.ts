import { parseArgs } from "node:util";
import type { z } from "zod";

/**
 * Parse `<command> --flag value …` for the ledger CLIs: every option a string, the first
 * positional as `command`, checked by `schema`. On bad input it prints what is wrong and
 * `usage` to `out.error` and returns undefined (the CLI then exits 2). `--verbose` is taken and
 * ignored here: installQuietNodeWarnings reads it (it lets Node's SQLite warning through).
 */
export function parseCommand<S extends z.ZodType>(argv: string[], options: readonly string[], schema: S, usage: string, out: { error(s: string): void }): z.output<S> | undefined {
  try {
    const { positionals, values } = parseArgs({ args: argv.filter((a) => a !== "--verbose"), allowPositionals: true, options: Object.fromEntries(options.map((o) => [o, { type: "string" as const }])) });
    const result = schema.safeParse({ command: positionals[0], ...values });
    if (result.success) return result.data;
    out.error(`${result.error.issues.map((i) => `${i.path.join(".") || "command"}: ${i.message}`).join("\n")}\n${usage}`);
  } catch (error) {
    out.error(`${(error as Error).message}\n${usage}`);
  }
  return undefined;
}
