import { createPrng } from "../../util/prng.js";
import { createBatchSchedule } from "../train/batchSchedule.js";
import { planInRunCheckpoints, type InRunCheckpointPlan, type InRunExampleWeights } from "../train/planInRunCheckpoints.js";
import type { LoraHyperParameters, ScoredSequence } from "../train/types.js";
import { AttributionError } from "./errors.js";

/** How an in-run pass spends its compute, decided before it starts (a function of its inputs only, so a replay decides the same). */
export interface InRunBudgetPlan {
  /** K: a checkpoint every K optimizer steps. */
  checkpointEvery: number;
  plans: InRunCheckpointPlan[];
  /** Holdout indices whose gradients are taken at every checkpoint, ascending: all of them, or a seeded sample when even one checkpoint with the whole holdout is over budget. */
  holdout: number[];
  /** Input tokens through forward + backward: the run, the per-example features, the holdout gradients. */
  runTokens: number;
  featureTokens: number;
  holdoutTokens: number;
  /** featureTokens + holdoutTokens ≤ maxExtraWork × runTokens (false only when not even one checkpoint with two holdout examples fits, e.g. a run that trains each example once). */
  withinBudget: boolean;
}

export interface PlanInRunBudgetParameters {
  sequences: readonly Pick<ScoredSequence, "tokens" | "scoreFrom">[];
  hyper: LoraHyperParameters;
  /** The holdout (only its token counts are used). */
  holdout: readonly Pick<ScoredSequence, "tokens">[];
  /** The most checkpoints wanted (InRunSettings.checkpoints). */
  checkpoints: number;
  /**
   * Features and holdout gradients together at most this many runs' worth of input tokens
   * (InRunSettings.maxExtraWork); undefined: no bound, `checkpoints` checkpoints and the whole holdout.
   */
  maxExtraWork?: number;
  /** Seeds the holdout sample (InRunSettings.projectionSeed). */
  sampleSeed: string | number;
  /** Which examples each checkpoint takes features of (InRunSettings.exampleWeights; default "batch"). */
  exampleWeights?: InRunExampleWeights;
}

/** Input tokens through forward and backward over the whole run: what a plain training of `sequences` costs. */
export function plannedRunTokens(hyper: Pick<LoraHyperParameters, "seed" | "batchSize" | "steps" | "epochs">, sequences: readonly Pick<ScoredSequence, "tokens">[]): number {
  const schedule = createBatchSchedule({ seed: hyper.seed, count: sequences.length, batchSize: hyper.batchSize, steps: hyper.steps, epochs: hyper.epochs });
  let tokens = 0;
  for (let t = 0; t < schedule.totalSteps; t++) for (const i of schedule.batch(t)) tokens += sequences[i].tokens.length;
  return tokens;
}

/**
 * The checkpoints and holdout of an in-run pass under a compute budget. Cost in input tokens
 * through forward + backward (the trainer's unit): the run R, the features F (each example's
 * gradient once per checkpoint interval it is trained in, or at every checkpoint with "uniform") and the holdout gradients H (the
 * holdout's tokens at every checkpoint). With `maxExtraWork` = b, it takes the most checkpoints
 * (≤ `checkpoints`, K = ⌈steps / C⌉) with F + H ≤ b·R; when even one checkpoint with the whole
 * holdout is over, one checkpoint and a seeded sample of the holdout (examples in a seeded order,
 * as many as fit, at least two so the interval can carry the sampling variance). So a pass costs at most (1 + b) trainings' worth, whatever n.
 */
export function planInRunBudget(p: PlanInRunBudgetParameters): InRunBudgetPlan {
  if (!Number.isInteger(p.checkpoints) || p.checkpoints < 1) throw new AttributionError(`in-run needs at least one checkpoint, got ${p.checkpoints}`);
  if (p.maxExtraWork !== undefined && !(p.maxExtraWork > 0)) throw new AttributionError(`in-run maxExtraWork must be positive, got ${p.maxExtraWork}; use e.g. 1 (features and holdout gradients cost at most one more training)`);
  if (p.holdout.length === 0) throw new AttributionError("in-run needs a holdout of at least one example");
  const runTokens = plannedRunTokens(p.hyper, p.sequences);
  const totalSteps = createBatchSchedule({ seed: p.hyper.seed, count: p.sequences.length, batchSize: p.hyper.batchSize, steps: p.hyper.steps, epochs: p.hyper.epochs }).totalSteps;
  const holdoutPer = p.holdout.reduce((a, s) => a + s.tokens.length, 0);
  const all = p.holdout.map((_, i) => i);
  const option = (c: number) => {
    const checkpointEvery = Math.max(1, Math.ceil(totalSteps / c));
    const plans = planInRunCheckpoints({ sequences: p.sequences, hyper: p.hyper, checkpointEvery, ...(p.exampleWeights ? { exampleWeights: p.exampleWeights } : {}) });
    const featureTokens = plans.reduce((a, plan) => a + plan.examples.reduce((b, i) => b + p.sequences[i].tokens.length, 0), 0);
    return { checkpointEvery, plans, featureTokens, holdoutTokens: plans.length * holdoutPer };
  };
  if (p.maxExtraWork === undefined) return { ...option(p.checkpoints), holdout: all, runTokens, withinBudget: true };
  const budget = p.maxExtraWork * runTokens;
  let seen = -1;
  for (let c = p.checkpoints; c >= 1; c--) {
    const o = option(c);
    if (o.plans.length === seen) continue; // the same K as a larger c
    seen = o.plans.length;
    if (o.featureTokens + o.holdoutTokens <= budget) return { ...o, holdout: all, runTokens, withinBudget: true };
  }
  const one = option(1);
  const order = createPrng(`ingotforge/attribution/in-run-holdout/${typeof p.sampleSeed}:${p.sampleSeed}`).shuffle(all);
  const sample: number[] = [];
  let tokens = 0;
  for (const i of order) {
    const t = p.holdout[i].tokens.length;
    // At least two examples (when the holdout has them): one gives no sampling variance for the interval.
    if (sample.length >= Math.min(2, p.holdout.length) && one.featureTokens + tokens + t > budget) break;
    sample.push(i);
    tokens += t;
  }
  sample.sort((a, b) => a - b);
  return { ...one, holdout: sample, holdoutTokens: tokens * one.plans.length, runTokens, withinBudget: one.featureTokens + tokens <= budget };
}
