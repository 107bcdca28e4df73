import { attachLora, extractAdapter } from "./attachLora.js";
import { fingerprintInputs } from "./fingerprintInputs.js";
import { createNetwork } from "./network.js";
import type { RunTrainingLoopParameters } from "./runTrainingLoop.js";
import type { TrainLoraParameters, TrainLoraReturnType, TrainMetrics } from "./types.js";
import { validateOptimizerHyper, validateSequences } from "./validateTrainInputs.js";

/** Validates a LoRA job and lays it out: the loop's parameters, and how to read the result after it. */
export function prepareLoraRun(params: TrainLoraParameters): { loop: RunTrainingLoopParameters; finish: (metrics: TrainMetrics) => TrainLoraReturnType } {
  const { model, sequences, hyper } = params;
  validateOptimizerHyper(hyper);
  const net = createNetwork(model, { trainBase: false });
  const maxLength = validateSequences(sequences, model.config);
  const slots = attachLora(net, { rank: hyper.rank, alpha: hyper.alpha, targets: hyper.targets, seed: hyper.seed });
  const fingerprint = fingerprintInputs({ kind: "lora", hyper, model, sequences });
  return {
    loop: { ...params, kind: "lora", fingerprint, net, sequences, maxLength, hyper, seed: hyper.seed },
    finish: (metrics) => ({ adapter: extractAdapter(slots, hyper.rank, hyper.alpha), metrics }),
  };
}
