import { prepareLoraRun } from "./prepareLoraRun.js";
import { runTrainingLoopAsync } from "./runTrainingLoop.js";
import type { TrainLoraParameters, TrainLoraReturnType } from "./types.js";

/**
 * trainLora, yielding to the event loop between steps so an AbortSignal fired by a SIGINT handler
 * or a timer stops it after the current step (TrainAbortedError with a resumable state). The
 * adapter is bit-identical to trainLora's.
 */
export async function trainLoraAsync(params: TrainLoraParameters): Promise<TrainLoraReturnType> {
  const { loop, finish } = prepareLoraRun(params);
  return finish((await runTrainingLoopAsync(loop)).metrics);
}
