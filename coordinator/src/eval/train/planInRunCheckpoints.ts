import { createBatchSchedule } from "./batchSchedule.js";
import { TrainInputError } from "./errors.js";
import { learningRateAt } from "./learningRateAt.js";
import type { LoraHyperParameters, ScoredSequence } from "./types.js";

/** One checkpoint of an in-run attribution: the weights at `step` stand for steps `step` … `endStep − 1`. */
export interface InRunCheckpointPlan {
  step: number;
  /** Exclusive. */
  endStep: number;
  /** Sequence indices trained on in those steps, ascending, each once. */
  examples: number[];
  /**
   * Per entry of `examples`, with `exampleWeights` "batch": Σ over the steps t of the interval
   * whose batch holds the sequence of lr_t · (its scored tokens / the batch's scored tokens). The
   * update of step t is −lr_t · Σ_i weight_i,t · ∇(mean NLL of i), so weight · ∇(mean NLL of i) is
   * sequence i's share of it. With "uniform": Λ_c / N for every sequence the run trains on,
   * Λ_c = Σ_t lr_t over the interval's steps and N the number of those sequences.
   */
  weights: number[];
}

/**
 * How an in-run checkpoint weighs the examples (InRunSettings.exampleWeights):
 * - "batch": the examples the shuffle put in the interval's batches, each with its share of those
 *   steps' updates (the learning rate of the step it drew, its tokens against its batch-mates');
 * - "uniform": every example the run trains on (all of them from one epoch on) at every checkpoint,
 *   each with the same 1/N of the interval's learning-rate mass, whichever batch and step the
 *   shuffle gave it.
 */
export type InRunExampleWeights = "batch" | "uniform";

/**
 * The checkpoints of an in-run attribution along one LoRA run: steps 0, K, 2K, … below the run's
 * last step (K = `checkpointEvery`), each with the sequences it weighs and their learning-rate
 * weights (`exampleWeights`, default "batch": the sequences trained on until the next one). A function of the hyper-parameters, seed and token counts only,
 * so the worker that computes the features and the coordinator that weighs them agree on it.
 */
export function planInRunCheckpoints(params: { sequences: readonly Pick<ScoredSequence, "tokens" | "scoreFrom">[]; hyper: LoraHyperParameters; checkpointEvery: number; exampleWeights?: InRunExampleWeights }): InRunCheckpointPlan[] {
  const { sequences, hyper, checkpointEvery } = params;
  const uniform = params.exampleWeights === "uniform";
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1) {
    throw new TrainInputError(`checkpointEvery must be a positive integer, got ${checkpointEvery}`, { hint: "Use e.g. 1 (every step) or the number of steps per epoch" });
  }
  const schedule = createBatchSchedule({ seed: hyper.seed, count: sequences.length, batchSize: hyper.batchSize, steps: hyper.steps, epochs: hyper.epochs });
  const total = schedule.totalSteps;
  const scored = sequences.map((s) => s.tokens.length - s.scoreFrom);
  const plans: InRunCheckpointPlan[] = [];
  // "uniform": the examples the run trains on at all (every one from the first epoch on; a run
  // shorter than an epoch never draws some, and they are not part of this training).
  let trained: number[] = [];
  if (uniform) {
    const drawn = new Set<number>();
    for (let t = 0; t < total; t++) for (const i of schedule.batch(t)) drawn.add(i);
    trained = [...drawn].sort((a, b) => a - b);
  }
  for (let start = 0; start < total; start += checkpointEvery) {
    const end = Math.min(total, start + checkpointEvery);
    if (uniform) {
      let mass = 0;
      for (let t = start; t < end; t++) mass += learningRateAt(hyper, t, total);
      plans.push({ step: start, endStep: end, examples: trained.slice(), weights: trained.map(() => mass / trained.length) });
      continue;
    }
    const weight = new Map<number, number>();
    for (let t = start; t < end; t++) {
      const batch = schedule.batch(t);
      let batchTokens = 0;
      for (const i of batch) batchTokens += scored[i];
      const lr = learningRateAt(hyper, t, total);
      for (const i of batch) weight.set(i, (weight.get(i) ?? 0) + (lr * scored[i]) / batchTokens);
    }
    const examples = [...weight.keys()].sort((a, b) => a - b);
    plans.push({ step: start, endStep: end, examples, weights: examples.map((i) => weight.get(i)!) });
  }
  return plans;
}
