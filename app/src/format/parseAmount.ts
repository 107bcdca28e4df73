/** Why an amount typed by a person was refused. */
export class AmountInputError extends Error {
  override name = "AmountInputError";
}

/**
 * A decimal typed by a person ("1.5", "0.25", "3") in base units, with `decimals` digits after the
 * point. Refuses empty, negative, non-numeric, zero and over-precise input with a message that
 * says what to type instead.
 */
export function parseAmount(text: string, decimals = 18): bigint {
  const t = text.trim();
  if (t === "") throw new AmountInputError("Enter an amount, for example 0.5.");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) throw new AmountInputError(`"${t}" is not an amount; use digits and one decimal point, for example 0.5.`);
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) throw new AmountInputError(`At most ${decimals} digits after the decimal point.`);
  const value = BigInt(match[1] || "0") * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (value === 0n) throw new AmountInputError("The amount must be more than zero.");
  return value;
}
