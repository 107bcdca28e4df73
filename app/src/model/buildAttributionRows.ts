import type { AttributionRecord } from "./attributionRecord.js";
import { allocatePool } from "./allocatePool.js";

/** One row of "Live attribution: marginal Δ per contribution". */
export interface AttributionRow {
  dataId: number;
  contributor: string;
  root: string;
  examples: number;
  /** Marginal Δ of the holdout utility (nats per response token); undefined for excluded rows. */
  delta?: number;
  stdError?: number;
  /** Shares of the Ingot this contribution earned (the data pool split by positive score). */
  shares: bigint;
  note?: string;
}

/**
 * The attribution panel's rows, from the record and the data pool's share total on chain
 * (`SharesAllocated.shares.data`): each contribution's Δ and standard error from the score
 * vector, its shares by the contracts' own largest-remainder split of the data pool over
 * max(score, 0), and a note for excluded contributions (with the reason), full duplicates (naming
 * the earlier contribution they copy) and partial duplicates.
 */
export function buildAttributionRows(record: AttributionRecord, dataPoolShares: bigint): AttributionRow[] {
  const entries = new Map(record.estimator.scoreVector.entries.map((e) => [e.id, e]));
  const weights = record.contributions.map((c) => (c.score > 0n ? c.score : 0n));
  const shares = allocatePool(dataPoolShares, weights);
  const firstSeen = new Map<string, number>();
  return record.contributions.map((c, i) => {
    const entry = entries.get(String(c.dataId));
    let note: string | undefined;
    if (c.status === "excluded") {
      note = `excluded: ${c.reason ?? "no reason recorded"}`;
    } else {
      const earlier = c.exampleHashes.map((h) => firstSeen.get(h)).filter((v): v is number => v !== undefined);
      if (entry?.status === "duplicate" || (c.exampleHashes.length > 0 && earlier.length === c.exampleHashes.length)) {
        note = earlier.length > 0 ? `duplicate of data #${Math.min(...earlier)}: earns nothing twice` : "duplicate: nothing new after de-duplication";
      } else if (c.keptExamples < c.exampleCount) {
        const sources = [...new Set((c.duplicates ?? []).map((d) => /(\d+):\d+$/.exec(d.duplicateOf)?.[1]).filter((v): v is string => v !== undefined))].map((id) => `#${id}`);
        note = `${c.exampleCount - c.keptExamples} of ${c.exampleCount} examples copy ${sources.length ? `data ${sources.join(", ")}` : "earlier data"} and count once`;
      } else if (c.score <= 0n) {
        note = "did not improve the holdout metric: no shares";
      }
      for (const h of c.exampleHashes) if (!firstSeen.has(h)) firstSeen.set(h, c.dataId);
    }
    return {
      dataId: c.dataId,
      contributor: c.contributor,
      root: c.root,
      examples: c.exampleCount,
      ...(c.status === "included" ? { delta: entry?.value ?? c.value, stdError: entry?.stdError ?? 0 } : {}),
      shares: shares[i],
      ...(note ? { note } : {}),
    };
  });
}
