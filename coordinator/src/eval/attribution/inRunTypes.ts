import type { LoraAdapter } from "../model/types.js";
import type { InRunPreconditioner } from "../train/computeInRunFeatures.js";
import type { InRunExampleWeights } from "../train/planInRunCheckpoints.js";
import type { PlayerValue } from "./types.js";

/**
 * Settings of in-run attribution (TracIn over checkpoints / first-order In-Run Data Shapley along
 * the served adapter's own training run). All of them go into the attribution record.
 */
export interface InRunSettings {
  /**
   * How many checkpoints to take along the run: one every K = ⌈steps / checkpoints⌉ optimizer
   * steps, at steps 0, K, 2K, … Each costs one holdout gradient on the coordinator.
   */
  checkpoints: number;
  /** Dimension of the seeded random projection of every gradient (createGradientProjection). */
  projectionDim: number;
  projectionSeed: string | number;
  /**
   * How each example's gradient is scaled before the dot product (computeInRunFeatures): "sign",
   * g/(|g| + ε), the step AdamW takes on that example alone (default since 2026-12-08, see the
   * README: it agrees with exact Shapley far better on the benchmark); "adam", the run's own AdamW
   * 1/(√v̂ + ε) (the step really taken per unit of batch gradient); "none", the raw (SGD) gradient.
   */
  preconditioner: InRunPreconditioner;
  /**
   * How the checkpoints weigh the examples (planInRunCheckpoints): "uniform", every example at
   * every checkpoint with 1/N of the interval's learning-rate mass, so no value depends on which
   * batch or step the shuffle gave an example; "batch", the examples trained in each interval with
   * the learning rate of the steps they drew and their share of those batches' tokens. Absent
   * (records made before it): "batch".
   */
  exampleWeights?: InRunExampleWeights;
  /**
   * Leave-one-contribution-out retrainings on `samples` contributions drawn with `seed`, and their
   * Spearman rank correlation with the in-run values (0 samples: no calibration).
   */
  calibration: { samples: number; seed: string | number };
  /**
   * Compute bound of a pass: the per-example features and the holdout gradients together cost at
   * most this many runs' worth of input tokens (planInRunBudget: fewer checkpoints first, then a
   * seeded sample of the holdout). Absent (records made before it): no bound, `checkpoints`
   * checkpoints and the whole holdout.
   */
  maxExtraWork?: number;
  /**
   * In-run passes run on the first `seeds` training seeds (the interval then comes from the
   * checkpoints, the projection and any holdout sample; with more seeds, also from their spread).
   * Absent (records made before it): every training seed.
   */
  seeds?: number;
  /**
   * Where a checkpoint's weights are in its interval of steps (computeInRunFeatures): "end" (after
   * the interval's last step, as TracIn's saved checkpoints: with one checkpoint it is the run's
   * adapter) or "start" (its first step: the first checkpoint is then the untrained LoRA, B = 0).
   * Absent (records made before it): "start".
   */
  checkpointAt?: "start" | "end";
  /**
   * Which adapter is served after an in-run attribution (trainServedAdapter): "in-run-pass", the
   * pass's own run (every de-duplicated contribution, in player order, on the first training seed;
   * bit-identical to the pass, so no retraining beyond it); "positive-value", a retraining on the
   * contributions of positive value. Absent (records made before it): "positive-value".
   */
  servedAdapter?: "in-run-pass" | "positive-value";
}

/**
 * Defaults: up to 4 checkpoints, each example's own AdamW step ("sign") weighed uniformly, 16384 projected dimensions (a feature is
 * 128 KiB per example and checkpoint; on the benchmark, agreement with exact Shapley needed a
 * projection far above 2048 once preconditioned), 5 calibration retrainings, one training seed,
 * checkpoints at their intervals' ends, the pass's own adapter served, and features + holdout
 * gradients at most two trainings' worth: with the pass's own run that is ≤ 3 trainings.
 */
export const DEFAULT_IN_RUN_SETTINGS: InRunSettings = {
  checkpoints: 4,
  projectionDim: 16384,
  projectionSeed: "ingotforge",
  preconditioner: "sign",
  exampleWeights: "uniform",
  calibration: { samples: 5, seed: "ingotforge" },
  maxExtraWork: 2,
  seeds: 1,
  checkpointAt: "end",
  servedAdapter: "in-run-pass",
};

/** Work of one in-run pass, in input tokens through forward + backward (the trainer's cost unit). */
export interface InRunWork {
  /** The training run itself (what a plain training of the same examples costs). */
  trainingTokens: number;
  /** Per-example gradients at the checkpoints (workers). */
  featureTokens: number;
  /** Holdout gradients at the checkpoints (coordinator). */
  holdoutTokens: number;
  /** Holdout examples whose gradients were taken (a seeded sample when the budget asked for one) of the whole holdout's. */
  holdoutExamples: { used: number; of: number };
  /**
   * Whether featureTokens + holdoutTokens ≤ maxExtraWork × trainingTokens (planInRunBudget). False
   * when the bound cannot be met: features alone fill it (a run that trains each example once has
   * featureTokens = trainingTokens), and then two holdout examples are taken.
   */
  withinBudget: boolean;
}

/** One in-run pass over a training seed. */
export interface InRunRunResult {
  /** Per player: Σ over its examples and the checkpoints of lr-weighted ⟨g_example, g_holdout⟩, with its interval. */
  values: PlayerValue[];
  /** perCheckpoint[player][c]: the player's term at checkpoint c (values[p].value is their sum). */
  perCheckpoint: number[][];
  checkpoints: { step: number; endStep: number; stateHash: string }[];
  checkpointEvery: number;
  work: InRunWork;
  /**
   * The run's adapter, read from its last checkpoint when that one is taken after the run's last
   * step (checkpointAt "end"): the pass's own adapter, bit for bit, with no training. Absent otherwise.
   */
  adapter?: LoraAdapter;
}

/**
 * Runs the served adapter's training on every player's examples (concatenated in player order)
 * with `seed` and values each player in-run, with the method's `settings`. `playerExamples[p]` are player p's example hashes.
 */
export type InRunRunner = (playerExamples: readonly (readonly string[])[], seed: string | number, settings: InRunSettings) => Promise<InRunRunResult>;
