import type { OptimizerHyperParameters } from "./types.js";

/**
 * The learning rate of 0-based `step` of a run of `totalSteps`: linear warm-up over `warmupSteps`,
 * then constant or linearly decaying to 0 at the last step. The training loop and in-run
 * attribution (which weighs each step by it) both read it here, so they can never disagree.
 */
export function learningRateAt(hyper: Pick<OptimizerHyperParameters, "learningRate" | "warmupSteps" | "lrSchedule">, step: number, totalSteps: number): number {
  const warmup = hyper.warmupSteps ?? 0;
  if (step < warmup) return (hyper.learningRate * (step + 1)) / warmup;
  if (hyper.lrSchedule === "linear") return (hyper.learningRate * (totalSteps - step)) / Math.max(1, totalSteps - warmup);
  return hyper.learningRate;
}
