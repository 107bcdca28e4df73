/**
 * What a holding has earned so far (claimed or still claimable): revenue is paid per share
 * (RevenueSplitter's accumulator), so `shares` of `supply` earn shares/supply of every payment
 * net of the parent's royalty. Floored, like the splitter's own arithmetic.
 */
export function earnedByShares(shares: bigint, supply: bigint, paidNet: bigint): bigint {
  if (supply <= 0n) return 0n;
  return (shares * paidNet) / supply;
}
