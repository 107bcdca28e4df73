import { parseArgs } from "node:util";
import { COMMANDS } from "./commands.js";
import { createCliEnvironment } from "./createCliEnvironment.js";
import { CliUsageError } from "./errors.js";
import { GLOBAL_OPTIONS, GLOBAL_USAGE, parseGlobalOptions } from "./globalOptions.js";
import type { CliCommand } from "./types.js";

export interface CliIo {
  /** The command's result (text or JSON). */
  out(text: string): void;
  /** Errors and notes for a person. */
  err(text: string): void;
  /** Environment variables (INGOTFORGE_PRIVATE_KEY, INGOTFORGE_DEBUG). */
  env: Record<string, string | undefined>;
}

export const CLI_NAME = "ingotforge";

export function cliUsage(): string {
  const groups = [...new Set(COMMANDS.map((c) => c.group))];
  return [
    `usage: ${CLI_NAME} <group> <command> [options]   (npx tsx coordinator/src/cli/main.ts ...)`,
    "",
    ...groups.flatMap((g) => [
      ...COMMANDS.filter((c) => c.group === g).map((c) => `  ${`${c.group} ${c.name}`.padEnd(26)} ${c.summary}`),
    ]),
    "",
    GLOBAL_USAGE,
    "",
    `${CLI_NAME} <group> <command> --help shows a command's options.`,
  ].join("\n");
}

export function commandUsage(command: CliCommand): string {
  const positionals = (command.positionals ?? []).map((p) => ` <${p}>`).join("");
  return [`usage: ${CLI_NAME} ${command.group} ${command.name}${positionals} [options]`, `  ${command.summary}`, "", command.usage, "", GLOBAL_USAGE].join("\n");
}

/**
 * Runs one command and returns its exit code: 0 done, 1 the work failed (a clear message on
 * stderr: a reverted call names its custom error and arguments), 2 a wrong command line.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const first = parseArgs({ args: [...argv], options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
  const [group, name] = first.positionals;
  if (group === undefined || group === "help") {
    (group === undefined && first.values.help !== true ? io.err : io.out)(cliUsage());
    return group === undefined && first.values.help !== true ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.group === group && c.name === name);
  if (!command) {
    const known = COMMANDS.some((c) => c.group === group);
    const what = known ? `"${group} ${name ?? ""}"`.replace(" \"", "\"") : `"${group}"`;
    if (known && (name === undefined || first.values.help === true)) {
      io.out(cliUsage());
      return name === undefined && first.values.help !== true ? 2 : 0;
    }
    io.err(`error: unknown command ${what}\n\n${cliUsage()}`);
    return 2;
  }

  const usage = commandUsage(command as CliCommand);
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...command.options }, strict: true, allowPositionals: true });
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    if (parsed.values.help === true) {
      io.out(usage);
      return 0;
    }
    const positionals = parsed.positionals.slice(2);
    const expected = command.positionals ?? [];
    if (positionals.length !== expected.length) {
      throw new CliUsageError(
        expected.length === 0
          ? `unexpected argument "${positionals[0]}"`
          : `expected ${expected.map((p) => `<${p}>`).join(" ")}, got ${positionals.length === 0 ? "nothing" : positionals.map((p) => `"${p}"`).join(" ")}`,
      );
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const global = parseGlobalOptions(values, io.env);
    const options = command.parse(values, positionals);
    const env = createCliEnvironment({ global, note: io.err });
    const result = await command.run(env, options);
    io.out(global.json ? JSON.stringify(result.json, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) : result.text);
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`error: ${error.message}\n\n${error.usage ?? usage}`);
      return 2;
    }
    const e = error instanceof Error ? error : new Error(String(error));
    // Every error the CLI expects carries a message that says what to do next.
    io.err(`error: ${namePhases(e.message)}`);
    if (io.env.INGOTFORGE_DEBUG) io.err(String(e.stack) + (e.cause instanceof Error ? `\ncaused by: ${e.cause.stack}` : ""));
    return 1;
  }
}

const PHASE_NAMES = ["Pending", "Open", "Closed", "Live", "Failed"];

/** `ForgeWrongPhase(forge, 1, 4)` reads better as `ForgeWrongPhase(forge, Open, Failed)`. */
function namePhases(message: string): string {
  return message.replace(/ForgeWrongPhase\((0x[0-9a-fA-F]{40}), (\d), (\d)\)/, (all, forge: string, current: string, expected: string) => {
    const now = PHASE_NAMES[Number(current)];
    const wanted = PHASE_NAMES[Number(expected)];
    return now && wanted ? `ForgeWrongPhase(${forge}, current ${now}, expected ${wanted})` : all;
  });
}
