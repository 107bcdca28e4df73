import { coalitionKey } from "./coalition.js";
import { EstimatorParameterError, UtilityValueError } from "./errors.js";
import type { SeededUtility, Utility, UtilityStdError } from "./types.js";

/** Training noise of one coalition's utility across seeds. */
export interface SeedStats {
  members: number[];
  /** Per-seed utilities, in `seeds` order. */
  values: { seed: string | number; value: number }[];
  mean: number;
  /** Sample standard deviation across seeds (0 with one seed). */
  std: number;
  /** std / √seeds: the standard error of `mean`. */
  stdError: number;
}

export interface CreateSeedAveragedUtilityParameters {
  /** U(S, seed), e.g. `createHoldoutUtility(...)`, best wrapped by a cache's `wrapSeeded`. */
  utility: SeededUtility;
  /** Training seeds; each coalition is trained once per seed. */
  seeds: readonly (string | number)[];
}

export interface SeedAveragedUtility {
  /** Mean over seeds: the utility the estimators see. */
  utility: Utility;
  /** Noise of every coalition evaluated so far. */
  stats(): SeedStats[];
  /** Standard error of a coalition's mean (throws if it was not evaluated). */
  stdError: UtilityStdError;
}

/**
 * Measures training noise: every coalition's utility is evaluated under each seed; the estimators
 * see the mean, and the spread is kept per coalition so it can be reported with the scores and
 * propagated into the exact estimators' standard errors (`utilityStdError: averaged.stdError`).
 */
export function createSeedAveragedUtility(params: CreateSeedAveragedUtilityParameters): SeedAveragedUtility {
  const seeds = [...params.seeds];
  if (seeds.length === 0) throw new EstimatorParameterError("createSeedAveragedUtility needs at least one seed");
  if (new Set(seeds.map((s) => `${typeof s}:${s}`)).size !== seeds.length) throw new EstimatorParameterError(`seeds repeat: ${seeds.join(", ")}`);
  const stats = new Map<string, SeedStats>();

  return {
    async utility(members) {
      const key = coalitionKey(members);
      const known = stats.get(key);
      if (known) return known.mean;
      const sorted = key === "" ? [] : key.split(",").map(Number);
      const values = [];
      for (const seed of seeds) {
        const value = await params.utility(sorted, seed);
        if (typeof value !== "number" || !Number.isFinite(value)) throw new UtilityValueError(sorted, value);
        values.push({ seed, value });
      }
      const k = values.length;
      const mean = values.reduce((a, v) => a + v.value, 0) / k;
      const std = k < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v.value - mean) ** 2, 0) / (k - 1));
      stats.set(key, { members: sorted, values, mean, std, stdError: std / Math.sqrt(k) });
      return mean;
    },
    stats: () => [...stats.values()],
    stdError(members) {
      const s = stats.get(coalitionKey(members));
      if (!s) throw new EstimatorParameterError(`no seed statistics for [${[...members].join(", ")}]: evaluate it first`);
      return s.stdError;
    },
  };
}
