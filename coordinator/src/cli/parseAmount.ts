import { parseUnits } from "viem";
import { CliUsageError } from "./errors.js";

/**
 * A decimal amount ("1.5") in base units of a token with `decimals` decimals. Refuses more
 * fractional digits than the token has instead of silently rounding them away.
 */
export function parseAmount(value: string, flag: string, decimals: number, unit: string, options: { allowZero?: boolean } = {}): bigint {
  const text = value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new CliUsageError(`${flag} must be a positive decimal amount of ${unit} like 1.5, got "${value}"`);
  if ((match[2]?.length ?? 0) > decimals) throw new CliUsageError(`${flag} has more than ${decimals} decimals, the precision of ${unit}: "${value}"`);
  const amount = parseUnits(text, decimals);
  if (amount === 0n && !options.allowZero) throw new CliUsageError(`${flag} must be more than zero`);
  return amount;
}
