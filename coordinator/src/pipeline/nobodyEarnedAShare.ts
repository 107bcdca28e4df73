export type NobodyEarnedAShareParameters = {
  /** The result's data scores (a score of 0 or less earns no share). */
  dataScores: readonly bigint[];
  /** The result's verified compute work per worker. */
  computeWork: readonly bigint[];
  /** The capital the Forge holds positions for (`totalCapital`). */
  totalCapital: bigint;
};

/**
 * Whether the result leaves every contributor pool empty: no data of positive value, no verified
 * compute work, no capital. The Forge then mints every share the lineage pool leaves to its
 * creator (IForge's allocation rule), so the Ingot's fees, forfeited bonds and royalties all go to
 * the creator: nothing is stuck, but a person reading the coordinator's log should know it.
 */
export function nobodyEarnedAShare(p: NobodyEarnedAShareParameters): boolean {
  return p.totalCapital === 0n && p.dataScores.every((s) => s <= 0n) && p.computeWork.every((w) => w === 0n);
}
