import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliUsageError } from "./errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs in strict mode, its errors turned into CliUsageError carrying the usage text. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliUsageError((err as Error).message, usage);
  }
}

/** A required string option, or a usage error naming it. */
export function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value === "") throw new CliUsageError(`missing ${flag}`, usage);
  return value;
}

/** A finite number option (integer when asked), or a usage error. */
export function numberOption(value: string | undefined, flag: string, usage: string, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new CliUsageError(`${flag} must be ${opts.integer ? "an integer" : "a number"}${opts.min !== undefined ? ` ≥ ${opts.min}` : ""}, got "${value}"`, usage);
  }
  return n;
}
