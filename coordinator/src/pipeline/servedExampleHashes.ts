import type { AttributeContributionsReturnType } from "../eval/attribution/attributeContributions.js";

/**
 * The examples the Ingot's adapter is trained on. After an in-run attribution that serves its
 * pass's own run (`attribution.servedAdapter`): every de-duplicated contribution's examples in
 * player order, exactly the pass's training, so serving it costs no training beyond the pass.
 * Otherwise: after de-duplication, those of every contribution with a positive marginal value
 * (data that made the model worse is not served).
 */
export function servedExampleHashes(attribution: Pick<AttributeContributionsReturnType, "scoreVector" | "deduped" | "servedAdapter">): string[] {
  if (attribution.servedAdapter) return [...attribution.servedAdapter.exampleHashes];
  const valuable = new Set(attribution.scoreVector.entries.filter((e) => e.value > 0).map((e) => e.id));
  return attribution.deduped.contributions.filter((c) => valuable.has(c.id)).flatMap((c) => c.keptHashes);
}
