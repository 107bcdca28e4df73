import { getAddress, isAddress, isHex, size, type Address, type Hex } from "viem";
import { CliUsageError } from "./errors.js";

/**
 * Validators for option values. Each returns the typed value or throws a CliUsageError naming
 * the flag and what it expects, so a command line is refused before anything is sent.
 */

export function requireOption(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new CliUsageError(`missing ${flag}`);
  return value.trim();
}

export function optionalString(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function parseAddressOption(value: string, flag: string): Address {
  if (!isAddress(value, { strict: false })) throw new CliUsageError(`${flag} must be an address (0x followed by 40 hex digits), got "${value}"`);
  return getAddress(value);
}

/** A 32-byte value such as a 0G content root or a measurement. */
export function parseBytes32Option(value: string, flag: string): Hex {
  if (!isHex(value, { strict: true }) || size(value) !== 32) throw new CliUsageError(`${flag} must be 32 bytes of hex (0x followed by 64 hex digits), got "${value}"`);
  if (/^0x0+$/.test(value)) throw new CliUsageError(`${flag} must not be zero`);
  return value.toLowerCase() as Hex;
}

/** A decimal integer in [min, max] (bigint so ids and seconds of any size are exact). */
export function parseIntegerOption(value: string, flag: string, range: { min?: bigint; max?: bigint } = {}): bigint {
  if (!/^\d+$/.test(value)) throw new CliUsageError(`${flag} must be a whole number, got "${value}"`);
  const n = BigInt(value);
  if (range.min !== undefined && n < range.min) throw new CliUsageError(`${flag} must be at least ${range.min}, got ${value}`);
  if (range.max !== undefined && n > range.max) throw new CliUsageError(`${flag} must be at most ${range.max}, got ${value}`);
  return n;
}

const UNIT_SECONDS: Record<string, bigint> = { s: 1n, m: 60n, h: 3600n, d: 86400n, w: 604800n };

/** A duration: plain seconds ("3600") or a number with a unit s/m/h/d/w ("90m", "7d"). */
export function parseDurationOption(value: string, flag: string, range?: { min: bigint; max: bigint; words: string }): bigint {
  const match = /^(\d+)([smhdw]?)$/.exec(value.trim());
  if (!match) throw new CliUsageError(`${flag} must be a duration like 3600, 90m, 12h or 7d, got "${value}"`);
  const seconds = BigInt(match[1]) * UNIT_SECONDS[match[2] || "s"];
  if (seconds === 0n) throw new CliUsageError(`${flag} must be longer than zero`);
  if (range && (seconds < range.min || seconds > range.max)) throw new CliUsageError(`${flag} must be ${range.words}, got "${value}"`);
  return seconds;
}
