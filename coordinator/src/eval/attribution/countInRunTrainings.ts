import { AttributionError } from "./errors.js";
import type { InRunWork } from "./inRunTypes.js";

/** What an in-run attribution cost, in trainings: one training = one run over every de-duplicated contribution's examples. */
export interface InRunTrainingsCount {
  /** run + features + holdout + servedRetraining. */
  trainings: number;
  /** The passes' own runs (1 per training seed a pass ran on). */
  run: number;
  /** Per-example gradients at the checkpoints (the workers' extra work). */
  features: number;
  /** Holdout gradients at the checkpoints (the coordinator's). */
  holdout: number;
  /** The served adapter's training on the contributions of positive value (trainServedAdapter), run after the attribution; 0 when the pass's own run is served (servedAdapter "in-run-pass"). */
  servedRetraining: number;
}

/**
 * The honest cost of an in-run attribution, as `npm run bench:attribution` reports it: input
 * tokens through forward + backward of every pass (its run, its features, its holdout gradients)
 * and of the served adapter's retraining (pass 0 when the pass's own run is served, the default:
 * attribution.servedAdapter), divided by one run's tokens. Leave-one-out calibration
 * retrainings are not in it: they are a cross-check with their own count (1 + samples trainings
 * per seed, `calibration.evaluations`).
 */
export function countInRunTrainings(p: { passes: readonly Pick<InRunWork, "trainingTokens" | "featureTokens" | "holdoutTokens">[]; servedRetrainingTokens: number }): InRunTrainingsCount {
  if (p.passes.length === 0) throw new AttributionError("no in-run pass to count; count in-run trainings only for an in-run attribution");
  const unit = p.passes[0].trainingTokens;
  if (!(unit > 0)) throw new AttributionError(`an in-run pass of ${unit} training tokens; a run trains on at least one token`);
  if (!(p.servedRetrainingTokens >= 0)) throw new AttributionError(`served retraining tokens must be ≥ 0, got ${p.servedRetrainingTokens}`);
  const sum = (f: (w: (typeof p.passes)[number]) => number) => p.passes.reduce((a, w) => a + f(w), 0) / unit;
  const run = sum((w) => w.trainingTokens);
  const features = sum((w) => w.featureTokens);
  const holdout = sum((w) => w.holdoutTokens);
  const servedRetraining = p.servedRetrainingTokens / unit;
  return { trainings: run + features + holdout + servedRetraining, run, features, holdout, servedRetraining };
}
