import type { Qwen2Model, Tensor } from "../model/types.js";
import { fingerprintInputs } from "./fingerprintInputs.js";
import { createNetwork, syncTransposes } from "./network.js";
import { runTrainingLoop } from "./runTrainingLoop.js";
import type { PretrainParameters, PretrainReturnType } from "./types.js";
import { validateOptimizerHyper, validateSequences } from "./validateTrainInputs.js";

/**
 * Full-parameter training of every tensor (AdamW on float64 master weights; the returned model is
 * F32). Used to turn a random model into the demo base model from a generic corpus. Same
 * determinism and resume guarantees as trainLora: an interrupted run resumed from its state ends
 * bit-identical to an uninterrupted one.
 */
export function pretrain(params: PretrainParameters): PretrainReturnType {
  const { model, sequences, hyper, seed } = params;
  validateOptimizerHyper(hyper);
  const net = createNetwork(model, { trainBase: true });
  const maxLength = validateSequences(sequences, model.config);
  const fingerprint = fingerprintInputs({ kind: "pretrain", hyper: { ...hyper, seed }, model, sequences });
  const { metrics } = runTrainingLoop({
    ...params,
    kind: "pretrain",
    fingerprint,
    net,
    sequences,
    maxLength,
    hyper,
    seed,
    afterUpdate: () => syncTransposes(net),
  });
  const tensors = new Map<string, Tensor>();
  const byName = new Map(net.params.map((p) => [p.name, p.values]));
  for (const [name, t] of model.tensors) {
    const values = byName.get(name);
    tensors.set(name, { name, shape: t.shape.slice(), type: "F32", values: values ? Float32Array.from(values) : t.values.slice() });
  }
  const out: Qwen2Model = {
    name: params.name ?? model.name,
    config: { ...model.config },
    tokenizer: model.tokenizer,
    tensors,
  };
  return { model: out, metrics };
}
