import { preparePretrainRun } from "./preparePretrainRun.js";
import { runTrainingLoopAsync } from "./runTrainingLoop.js";
import type { PretrainParameters, PretrainReturnType } from "./types.js";

/**
 * pretrain, yielding to the event loop between steps so Ctrl-C (a SIGINT handler aborting the
 * signal) stops it after the current step with a TrainAbortedError whose state resumes the run.
 * The model is bit-identical to pretrain's.
 */
export async function pretrainAsync(params: PretrainParameters): Promise<PretrainReturnType> {
  const { loop, finish } = preparePretrainRun(params);
  return finish((await runTrainingLoopAsync(loop)).metrics);
}
