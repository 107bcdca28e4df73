import type { AttributeContributionsReturnType } from "../eval/attribution/attributeContributions.js";

/**
 * The examples the Ingot's adapter is trained on: after de-duplication, those of every
 * contribution with a positive marginal value. Data that made the model worse is not served.
 */
export function servedExampleHashes(attribution: Pick<AttributeContributionsReturnType, "scoreVector" | "deduped">): string[] {
  const valuable = new Set(attribution.scoreVector.entries.filter((e) => e.value > 0).map((e) => e.id));
  return attribution.deduped.contributions.filter((c) => valuable.has(c.id)).flatMap((c) => c.keptHashes);
}
