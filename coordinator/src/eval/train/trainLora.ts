import { attachLora, extractAdapter } from "./attachLora.js";
import { fingerprintInputs } from "./fingerprintInputs.js";
import { createNetwork } from "./network.js";
import { runTrainingLoop } from "./runTrainingLoop.js";
import type { TrainLoraParameters, TrainLoraReturnType } from "./types.js";
import { validateOptimizerHyper, validateSequences } from "./validateTrainInputs.js";

/**
 * Fine-tunes LoRA pairs on a frozen base (QLoRA when the base is Q4_0/Q8_0: the trainer reads
 * `Tensor.values`, the dequantized weights llama.cpp also multiplies by) with AdamW and
 * cross-entropy on the response tokens only (positions ≥ scoreFrom).
 *
 * Deterministic: the same model, sequences, hyper-parameters and seed give bit-identical adapter
 * values (see hashAdapter) on every run and every JavaScript engine: float64 arithmetic in a fixed
 * order, exp/log/sin/cos from basic operations only, seeded initialisation and batch order.
 */
export function trainLora(params: TrainLoraParameters): TrainLoraReturnType {
  const { model, sequences, hyper } = params;
  validateOptimizerHyper(hyper);
  const net = createNetwork(model, { trainBase: false });
  const maxLength = validateSequences(sequences, model.config);
  const targets = hyper.targets.slice();
  const slots = attachLora(net, { rank: hyper.rank, alpha: hyper.alpha, targets, seed: hyper.seed });
  const fingerprint = fingerprintInputs({ kind: "lora", hyper, model, sequences });
  const { metrics } = runTrainingLoop({
    ...params,
    kind: "lora",
    fingerprint,
    net,
    sequences,
    maxLength,
    hyper,
    seed: hyper.seed,
  });
  return { adapter: extractAdapter(slots, hyper.rank, hyper.alpha), metrics };
}
