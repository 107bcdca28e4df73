import { createPrng } from "../../util/prng.js";
import { createEvaluator } from "./coalition.js";
import { EstimatorParameterError } from "./errors.js";
import type { Estimate, EstimatorParameters } from "./types.js";

export interface MonteCarloShapleyParameters extends EstimatorParameters {
  /** Random permutations to walk (≥ 2, for a standard error). */
  permutations: number;
  /** Seed of the permutation sampler (`createPrng`): the same seed replays the same estimate. */
  seed: string | number;
  /**
   * Truncated Monte Carlo (Ghorbani & Zou 2019): once a permutation's prefix is within
   * `tolerance · |U(N) − U(∅)|` of U(N), the remaining players' marginals are taken as 0 without
   * evaluating them. Saves trainings when a few contributions already saturate the metric, at the
   * cost of a bias of at most about that tolerance per player.
   */
  truncation?: { tolerance: number };
}

/**
 * Permutation-sampling Shapley: for each random order π, player i's marginal is
 * U(pred_π(i) ∪ {i}) − U(pred_π(i)); the value is the mean over permutations and the standard
 * error is the sample standard deviation of those marginals over √permutations. Subsets shared by
 * permutations are evaluated once.
 */
export async function monteCarloShapley(params: MonteCarloShapleyParameters): Promise<Estimate> {
  const n = params.players;
  const T = params.permutations;
  if (!Number.isInteger(n) || n < 1) throw new EstimatorParameterError(`Monte Carlo Shapley needs at least 1 player, got ${n}`);
  if (!Number.isInteger(T) || T < 2) throw new EstimatorParameterError(`Monte Carlo Shapley needs at least 2 permutations for a standard error, got ${T}`);
  const tol = params.truncation?.tolerance;
  if (tol !== undefined && !(tol >= 0 && Number.isFinite(tol))) throw new EstimatorParameterError(`truncation tolerance must be a finite number ≥ 0, got ${tol}`);

  const prng = createPrng(params.seed);
  const evaluator = createEvaluator({ ...params, plannedEvaluations: Math.min(2 ** Math.min(n, 30), T * n + 1) });
  const players = Array.from({ length: n }, (_, i) => i);
  const uEmpty = await evaluator.value([]);
  const uAll = await evaluator.value(players);
  const threshold = tol === undefined ? -1 : tol * Math.abs(uAll - uEmpty);

  // Welford's running mean and squared deviations: no cancellation when marginals barely vary.
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  for (let t = 0; t < T; t++) {
    const order = prng.shuffle(players);
    const prefix: number[] = [];
    let uPrev = uEmpty;
    let truncated = false;
    for (const p of order) {
      let marginal = 0;
      if (!truncated) {
        prefix.push(p);
        const uNext = prefix.length === n ? uAll : await evaluator.value(prefix);
        marginal = uNext - uPrev;
        uPrev = uNext;
        if (threshold >= 0 && Math.abs(uAll - uNext) <= threshold) truncated = true;
      }
      const delta = marginal - mean[p];
      mean[p] += delta / (t + 1);
      m2[p] += delta * (marginal - mean[p]);
    }
  }
  const values = players.map((i) => ({ value: mean[i], stdError: Math.sqrt(m2[i] / (T - 1) / T) }));
  return { method: "monte-carlo-shapley", values, evaluations: evaluator.evaluations, samples: T, seed: params.seed };
}
