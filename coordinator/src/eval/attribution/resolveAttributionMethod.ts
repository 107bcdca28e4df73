import type { AttributionMethod } from "./attributeContributions.js";
import { DEFAULT_IN_RUN_SETTINGS } from "./inRunTypes.js";

/** Up to this many contributions (after de-duplication) the default is exact Shapley; above it, in-run. */
export const EXACT_ATTRIBUTION_UP_TO = 6;

/** The default method: exact Shapley for ≤ 6 contributions, in-run attribution above. */
export const DEFAULT_ATTRIBUTION_METHOD: AttributionMethod = { kind: "auto", exactUpTo: EXACT_ATTRIBUTION_UP_TO, inRun: DEFAULT_IN_RUN_SETTINGS };

export type ConcreteAttributionMethod = Exclude<AttributionMethod, { kind: "auto" }>;

/**
 * The method that runs for `players` contributions: "auto" becomes exact Shapley (2^n trainings
 * per seed) up to `exactUpTo` players and in-run attribution (about one training) above;
 * any other method is itself. A function of the record's method and the player count, so a
 * replay resolves it the same way.
 */
export function resolveAttributionMethod(method: AttributionMethod, players: number): ConcreteAttributionMethod {
  if (method.kind !== "auto") return method;
  return players <= method.exactUpTo ? { kind: "exact-shapley" } : { kind: "in-run", ...method.inRun };
}
