/** The fields of a contribution this step reads and may change. */
export interface DeduplicableContribution {
  dataId: number;
  status: "included" | "excluded";
  reason?: string;
  exampleHashes: string[];
}

/** Stable prefix of the reason a whole duplicate carries in the attribution record. */
export const WHOLE_DUPLICATE_REASON = "duplicate";

/**
 * De-duplication by content, inside the enclave, after every contribution was opened: an included
 * contribution whose every example (by exampleHash) was already brought by earlier included ones,
 * in on-chain order, is excluded as a whole duplicate (its bond is forfeited, like any excluded
 * entry). A partial duplicate stays included; the attribution's own de-duplication keeps its new
 * examples only. Changes `contributions` in place and returns the ids it excluded.
 */
export function excludeWholeDuplicates(contributions: DeduplicableContribution[]): number[] {
  const firstSeen = new Map<string, number>();
  const excluded: number[] = [];
  for (const c of contributions) {
    if (c.status !== "included") continue;
    const earlier = c.exampleHashes.map((h) => firstSeen.get(h));
    if (c.exampleHashes.length > 0 && earlier.every((id) => id !== undefined)) {
      const from = [...new Set(earlier as number[])].sort((a, b) => a - b).map((id) => `#${id}`);
      Object.assign(c, { status: "excluded", reason: `${WHOLE_DUPLICATE_REASON}: all ${c.exampleHashes.length} examples were contributed earlier (data ${from.join(", ")})` });
      excluded.push(c.dataId);
      continue;
    }
    for (const h of c.exampleHashes) if (!firstSeen.has(h)) firstSeen.set(h, c.dataId);
  }
  return excluded;
}
