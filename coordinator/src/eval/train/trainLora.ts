import { prepareLoraRun } from "./prepareLoraRun.js";
import { runTrainingLoop } from "./runTrainingLoop.js";
import type { TrainLoraParameters, TrainLoraReturnType } from "./types.js";

/**
 * Fine-tunes LoRA pairs on a frozen base (QLoRA when the base is Q4_0/Q8_0: the trainer reads
 * `Tensor.values`, the dequantized weights llama.cpp also multiplies by) with AdamW and
 * cross-entropy on the response tokens only (positions ≥ scoreFrom).
 *
 * Deterministic: the same model, sequences, hyper-parameters and seed give bit-identical adapter
 * values (see hashAdapter) on every run and every JavaScript engine: float64 arithmetic in a fixed
 * order, exp/log/sin/cos from basic operations only, seeded initialisation and batch order.
 *
 * Runs synchronously; use trainLoraAsync where Ctrl-C (an abort from the event loop) must stop it.
 */
export function trainLora(params: TrainLoraParameters): TrainLoraReturnType {
  const { loop, finish } = prepareLoraRun(params);
  return finish(runTrainingLoop(loop).metrics);
}
