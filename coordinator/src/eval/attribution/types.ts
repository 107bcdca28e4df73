/**
 * Shapes shared by the marginal-contribution estimators.
 *
 * Players are the data contributions that survive de-duplication, numbered 0..n-1 in on-chain
 * order. A utility maps a set of players to a number; `U(∅)` is the base model.
 *
 * The utility the product uses (see `createHoldoutUtility`) is the holdout log-perplexity
 * improvement, in nats per response token:
 *
 *   U(S) = ln PPL(base) − ln PPL(base + adapter trained on the examples of S)
 *   ln PPL(m) = Σ NLL(m) / Σ tokens over the holdout's response tokens (each token given all before it)
 *
 * so U(∅) = 0 and positive means the adapter predicts the holdout better than the base.
 */

/** Utility of a set of players (distinct indices in 0..n-1, any order). */
export type Utility = (members: readonly number[]) => Promise<number>;

/** A utility whose value depends on a training seed (training noise is measured across seeds). */
export type SeededUtility = (members: readonly number[], seed: string | number) => Promise<number>;

/** One player's estimated value with its standard error (0 when computed exactly from exact utilities). */
export interface PlayerValue {
  value: number;
  stdError: number;
}

export type EstimatorMethod = "leave-one-out" | "exact-shapley" | "exact-banzhaf" | "monte-carlo-shapley" | "msr-banzhaf" | "in-run";

export interface Estimate {
  method: EstimatorMethod;
  /** Indexed by player. */
  values: PlayerValue[];
  /** Distinct subsets whose utility this estimate asked for (each once). */
  evaluations: number;
  /** Permutations (Monte Carlo) or sampled subsets (MSR) drawn; absent for deterministic methods. */
  samples?: number;
  /** Seed of the sampler, for replay; absent for deterministic methods. */
  seed?: string | number;
}

/** Parameters every estimator takes. */
export interface EstimatorParameters {
  /** Number of players n. */
  players: number;
  utility: Utility;
  /** Called after each new utility evaluation with (evaluations done, evaluations planned or best guess). */
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops before the next utility evaluation; finished evaluations stay in a persisted cache. */
  signal?: AbortSignal;
}

/**
 * Standard error of a utility value for a subset (e.g. the spread across training seeds divided
 * by √seeds, from `createSeedAveragedUtility`). When given to the exact estimators it is propagated
 * into each player's standard error, treating subsets' noise as independent.
 */
export type UtilityStdError = (members: readonly number[]) => number;
