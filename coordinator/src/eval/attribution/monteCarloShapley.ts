import { createPrng } from "../../util/prng.js";
import { createEvaluator } from "./coalition.js";
import { EstimatorParameterError } from "./errors.js";
import { tQuantile975, Z975 } from "./tQuantile975.js";
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
 * Prior degrees of freedom of the pooled variance in the moderated standard error: the other
 * players' marginals count as this many permutations' worth of evidence about a player's variance.
 */
export const MONTE_CARLO_PRIOR_DF = 20;

/**
 * Permutation-sampling Shapley: for each random order π, player i's marginal is
 * U(pred_π(i) ∪ {i}) − U(pred_π(i)); the value is the mean over permutations. Subsets shared by
 * permutations are evaluated once.
 *
 * Standard error: a moderated variance (empirical Bayes, as limma's moderated t, Smyth 2004).
 * Player i's sample variance s_i² over T permutations is shrunk toward the mean s̄² of all
 * players' sample variances, s̃_i² = (d0·s̄² + (T−1)·s_i²) / (d0 + T − 1) with d0 =
 * `MONTE_CARLO_PRIOR_DF`, and its interval uses Student's t with d0 + T − 1 degrees of freedom;
 * the reported standard error is that half-width / 1.96, so ±1.96 SE is the 95% interval. The
 * plain s_i/√T is 0 whenever a player's T marginals happen to be equal (a voter pivotal in few
 * orders), and covered the truth 47% of the time at 10 permutations on a 14-player voting game;
 * see the README for the coverage measured now. When every player's marginals are constant (an
 * additive game) s̄² = 0 and the standard errors stay 0.
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
  const d0 = MONTE_CARLO_PRIOR_DF;
  const pooled = m2.reduce((a, x) => a + x / (T - 1), 0) / n;
  const widen = tQuantile975(d0 + T - 1) / Z975;
  const values = players.map((i) => ({ value: mean[i], stdError: widen * Math.sqrt((d0 * pooled + m2[i]) / (d0 + T - 1) / T) }));
  return { method: "monte-carlo-shapley", values, evaluations: evaluator.evaluations, samples: T, seed: params.seed };
}
