import type { InRunCheckpointFeatures } from "../train/computeInRunFeatures.js";
import type { LoraGradientProbe } from "../train/createLoraGradientProbe.js";
import { hashLoraState } from "../train/hashLoraState.js";
import type { InRunCheckpointPlan } from "../train/planInRunCheckpoints.js";
import type { ScoredSequence } from "../train/types.js";
import { AttributionError } from "./errors.js";
import type { GradientProjection } from "./projectGradient.js";
import type { PlayerValue } from "./types.js";

export interface ComputeInRunValuesParameters {
  /** The coordinator's plan of the run (planInRunCheckpoints): which examples, with which weights. */
  plans: readonly InRunCheckpointPlan[];
  /** The checkpoints and projected per-example gradients a worker returned (already verified). */
  checkpoints: readonly Pick<InRunCheckpointFeatures, "step" | "endStep" | "stateHash" | "values" | "examples" | "features">[];
  paramNames: readonly string[];
  /** playerOf[i]: the player sequence i of the run belongs to. */
  playerOf: readonly number[];
  players: number;
  /** The holdout, tokenized: its gradient is taken here, at every checkpoint, and never leaves. A seeded sample of it when `holdoutPopulation` is larger (planInRunBudget). */
  holdout: readonly ScoredSequence[];
  /**
   * How many examples the whole holdout has, when `holdout` is a sample of it: then each sampled
   * example's gradient is taken apart, their token-weighted mean stands for the holdout's, and the
   * sampling variance joins the interval. Absent or equal to `holdout.length`: the whole holdout.
   */
  holdoutPopulation?: number;
  probe: LoraGradientProbe;
  projection: GradientProjection;
}

export interface ComputeInRunValuesReturnType {
  values: PlayerValue[];
  perCheckpoint: number[][];
  /** Scored-token forward/backward passes of the holdout, summed over checkpoints (input tokens). */
  holdoutTokens: number;
}

/**
 * The coordinator's side of in-run attribution. At every checkpoint c (weights θ_c), with h_c the
 * projected gradient of the holdout's mean NLL per response token and f_i,c the projected gradient
 * of example i's mean NLL:
 *
 *   term(i, c) = w_i,c · ⟨f_i,c, h_c⟩,   w_i,c = Σ_{steps t of the interval, i in batch t} lr_t · tokens_i / batchTokens_t
 *
 * the first-order drop of the holdout loss that example i's share of those SGD updates causes
 * (positive = lowers holdout loss). A player's value is Σ over its examples and the checkpoints.
 *
 * Interval (stdError) per player, from two sources:
 * - checkpoints: the checkpoints are C samples of the path, so the spread of the player's C
 *   per-checkpoint terms v_c gives √C · sd(v_c) (0 with one checkpoint);
 * - projection: the projected inner product ⟨PX, Ph⟩ (X = Σ w_i f_i of the player) has variance
 *   ≈ (‖PX‖²‖Ph‖² + ⟨PX, Ph⟩²)/dim, summed over checkpoints.
 * - holdout sample (only when `holdout` is a sample of `holdoutPopulation` examples): the term is
 *   the ratio estimate Σ_j τ_j ⟨X, g_j⟩ / Σ_j τ_j over the m sampled examples (τ_j scored tokens,
 *   g_j the projected gradient of example j's mean NLL), with variance
 *   (1 − m/M) · Σ_j τ_j² (⟨X, g_j⟩ − term)² / ((m − 1) · m · τ̄²), summed over checkpoints.
 * stdError = √(all of them squared).
 */
export function computeInRunValues(p: ComputeInRunValuesParameters): ComputeInRunValuesReturnType {
  const { plans, checkpoints, projection } = p;
  if (checkpoints.length !== plans.length) throw new AttributionError(`in-run: ${checkpoints.length} checkpoints returned, ${plans.length} planned; the worker's run is not this run`);
  const dim = projection.dim;
  const perCheckpoint = Array.from({ length: p.players }, () => new Array<number>(plans.length).fill(0));
  const projVar = new Array<number>(p.players).fill(0);
  const holdoutTokens = p.holdout.reduce((a, s) => a + s.tokens.length, 0) * plans.length;
  const buffer = new Float64Array(dim);
  const M = p.holdoutPopulation ?? p.holdout.length;
  if (M < p.holdout.length) throw new AttributionError(`in-run: a holdout sample of ${p.holdout.length} from a holdout of ${M}; pass the whole holdout's size as holdoutPopulation`);
  const sampled = M > p.holdout.length;
  const m = p.holdout.length;
  const tau = p.holdout.map((s) => s.tokens.length - s.scoreFrom);
  const tauSum = tau.reduce((a, t) => a + t, 0);
  const sampleVar = new Array<number>(p.players).fill(0);
  plans.forEach((plan, c) => {
    const cp = checkpoints[c];
    if (cp.step !== plan.step || cp.endStep !== plan.endStep || cp.examples.length !== plan.examples.length || cp.examples.some((e, k) => e !== plan.examples[k])) {
      throw new AttributionError(`in-run checkpoint ${c} covers other steps or examples than planned; refuse the worker's result`);
    }
    if (cp.features.some((f) => f.length !== dim)) throw new AttributionError(`in-run checkpoint ${c} has features of another dimension than ${dim}; refuse the worker's result`);
    if (hashLoraState(p.paramNames, cp.values) !== cp.stateHash) throw new AttributionError(`in-run checkpoint ${c}'s parameters do not hash to its stateHash; refuse the worker's result`);
    // The holdout's projected gradient: in one pass for the whole holdout; per example for a sample.
    const perExample = sampled ? p.holdout.map((s) => projection.project(p.probe.gradientAt(cp.values, [s]).grads)) : [];
    let h: Float64Array;
    if (sampled) {
      h = new Float64Array(dim);
      perExample.forEach((g, j) => {
        const w = tau[j] / tauSum;
        for (let k = 0; k < dim; k++) h[k] += w * g[k];
      });
    } else h = projection.project(p.probe.gradientAt(cp.values, p.holdout).grads);
    let hh = 0;
    for (let k = 0; k < dim; k++) hh += h[k] * h[k];
    // Group the checkpoint's examples by player, in example order.
    const byPlayer = new Map<number, number[]>();
    cp.examples.forEach((e, k) => {
      const player = p.playerOf[e];
      if (player === undefined) throw new AttributionError(`in-run: example ${e} belongs to no player`);
      const list = byPlayer.get(player);
      if (list) list.push(k);
      else byPlayer.set(player, [k]);
    });
    for (const [player, ks] of byPlayer) {
      buffer.fill(0);
      for (const k of ks) {
        const w = plan.weights[k];
        const f = cp.features[k];
        for (let j = 0; j < dim; j++) buffer[j] += w * f[j];
      }
      let dot = 0;
      let xx = 0;
      for (let j = 0; j < dim; j++) {
        dot += buffer[j] * h[j];
        xx += buffer[j] * buffer[j];
      }
      perCheckpoint[player][c] = dot;
      projVar[player] += (xx * hh + dot * dot) / dim;
      if (sampled && m > 1) {
        let ss = 0;
        perExample.forEach((g, j) => {
          let y = 0;
          for (let k = 0; k < dim; k++) y += buffer[k] * g[k];
          ss += tau[j] ** 2 * (y - dot) ** 2;
        });
        const tauMean = tauSum / m;
        sampleVar[player] += ((1 - m / M) * ss) / ((m - 1) * m * tauMean * tauMean);
      }
    }
  });
  const C = plans.length;
  const values = perCheckpoint.map((terms, player): PlayerValue => {
    let sum = 0;
    for (const t of terms) sum += t;
    let spread = 0;
    if (C > 1) {
      const mean = sum / C;
      let ss = 0;
      for (const t of terms) ss += (t - mean) ** 2;
      spread = C * (ss / (C - 1));
    }
    return { value: sum, stdError: Math.sqrt(spread + projVar[player] + sampleVar[player]) };
  });
  return { values, perCheckpoint, holdoutTokens };
}
