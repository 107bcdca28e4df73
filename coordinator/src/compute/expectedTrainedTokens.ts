import { createBatchSchedule } from "../eval/train/batchSchedule.js";
import type { LoraHyperParameters, ScoredSequence } from "../eval/train/types.js";

/**
 * The trained-token count a honest run of this job reports (TrainMetrics.tokens), computed from
 * the trainer's own batch schedule without training. Credits are paid in these tokens, so a
 * worker's claim is checked against it on every job, audited or not.
 */
export function expectedTrainedTokens(hyper: LoraHyperParameters, sequences: readonly ScoredSequence[]): number {
  const schedule = createBatchSchedule({
    seed: hyper.seed,
    count: sequences.length,
    batchSize: hyper.batchSize,
    ...(hyper.steps !== undefined ? { steps: hyper.steps } : {}),
    ...(hyper.epochs !== undefined ? { epochs: hyper.epochs } : {}),
  });
  let tokens = 0;
  for (let step = 0; step < schedule.totalSteps; step++) {
    for (const i of schedule.batch(step)) tokens += sequences[i].tokens.length - sequences[i].scoreFrom;
  }
  return tokens;
}
