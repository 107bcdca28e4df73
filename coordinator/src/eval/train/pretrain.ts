import { preparePretrainRun } from "./preparePretrainRun.js";
import { runTrainingLoop } from "./runTrainingLoop.js";
import type { PretrainParameters, PretrainReturnType } from "./types.js";

/**
 * Full-parameter training of every tensor (AdamW on float64 master weights; the returned model is
 * F32). Used to turn a random model into the demo base model from a generic corpus. Same
 * determinism and resume guarantees as trainLora: an interrupted run resumed from its state ends
 * bit-identical to an uninterrupted one.
 *
 * Runs synchronously; use pretrainAsync where Ctrl-C (an abort from the event loop) must stop it.
 */
export function pretrain(params: PretrainParameters): PretrainReturnType {
  const { loop, finish } = preparePretrainRun(params);
  return finish(runTrainingLoop(loop).metrics);
}
