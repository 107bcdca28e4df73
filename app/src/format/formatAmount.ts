/**
 * An integer amount in base units (wei, or an ERC-20's smallest unit) as a decimal string with its
 * symbol: `1500000000000000000n` → "1.5 ETH". Keeps at most `maxFractionDigits` digits, rounding
 * toward zero, and says "< 0.000001 ETH" rather than "0 ETH" for a tiny non-zero amount.
 */
export function formatAmount(amount: bigint, options: { decimals?: number; symbol?: string; maxFractionDigits?: number } = {}): string {
  const decimals = options.decimals ?? 18;
  const symbol = options.symbol ?? "ETH";
  const maxFractionDigits = options.maxFractionDigits ?? 6;
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const fraction = (abs % base).toString().padStart(decimals, "0").slice(0, maxFractionDigits).replace(/0+$/, "");
  if (abs !== 0n && whole === 0n && fraction === "") {
    return `${negative ? "> -" : "< "}0.${"0".repeat(Math.max(0, maxFractionDigits - 1))}1 ${symbol}`.trim();
  }
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction ? `.${fraction}` : ""}${symbol ? ` ${symbol}` : ""}`;
}
