/**
 * A holding of `shares` out of `supply` as a percentage with two decimals ("12.50 %"), or
 * "< 0.01 %" for a non-zero holding that rounds to nothing. Computed in integers, so a supply of
 * 1e9 shares never loses precision to floating point.
 */
export function formatShares(shares: bigint, supply: bigint): string {
  if (supply <= 0n) return "–";
  if (shares === 0n) return "0.00 %";
  const basisPoints100 = (shares * 10_000n) / supply; // hundredths of a percent
  if (basisPoints100 === 0n) return "< 0.01 %";
  const whole = basisPoints100 / 100n;
  const frac = (basisPoints100 % 100n).toString().padStart(2, "0");
  return `${whole}.${frac} %`;
}
