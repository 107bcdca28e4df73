/** What `excludedEntries` needs of a data contribution. */
export type ContributionStatus = { dataId: number; status: "included" | "excluded" };

export type ExcludedEntriesParameters = {
  contributions: readonly ContributionStatus[];
  /** Compute registrations the coordinator excluded (failed proof of possession, key already registered). */
  excludedCompute?: readonly { computeId: number }[];
  /** Workers registered on the Forge (ids 0..computeCount-1). */
  computeCount: number;
};

export type ExcludedEntriesReturnType = { excludedData: bigint[]; excludedCompute: bigint[] };

/**
 * The result's excluded lists (IForge.EvalResult.excludedData / excludedCompute): every data
 * contribution of status "excluded", whatever the reason (missing, tampered, mis-declared,
 * unbound, a whole duplicate), and every excluded compute registration, each list strictly
 * increasing and without repeats, as the Forge requires. Their bonds are forfeited.
 */
export function excludedEntries(p: ExcludedEntriesParameters): ExcludedEntriesReturnType {
  const data = new Set(p.contributions.filter((c) => c.status === "excluded").map((c) => c.dataId));
  const compute = new Set((p.excludedCompute ?? []).map((e) => e.computeId).filter((id) => id >= 0 && id < p.computeCount));
  const ascending = (ids: Set<number>) => [...ids].sort((a, b) => a - b).map(BigInt);
  return { excludedData: ascending(data), excludedCompute: ascending(compute) };
}
