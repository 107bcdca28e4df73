import type { Qwen2Model, Tensor } from "../model/types.js";
import { fingerprintInputs } from "./fingerprintInputs.js";
import { createNetwork, syncTransposes } from "./network.js";
import type { RunTrainingLoopParameters } from "./runTrainingLoop.js";
import type { PretrainParameters, PretrainReturnType, TrainMetrics } from "./types.js";
import { validateOptimizerHyper, validateSequences } from "./validateTrainInputs.js";

/** Validates a pretraining job and lays it out: the loop's parameters, and how to build the model after it. */
export function preparePretrainRun(params: PretrainParameters): { loop: RunTrainingLoopParameters; finish: (metrics: TrainMetrics) => PretrainReturnType } {
  const { model, sequences, hyper, seed } = params;
  validateOptimizerHyper(hyper);
  const net = createNetwork(model, { trainBase: true });
  const maxLength = validateSequences(sequences, model.config);
  const fingerprint = fingerprintInputs({ kind: "pretrain", hyper: { ...hyper, seed }, model, sequences });
  const finish = (metrics: TrainMetrics): PretrainReturnType => {
    const tensors = new Map<string, Tensor>();
    const byName = new Map(net.params.map((p) => [p.name, p.values]));
    for (const [name, t] of model.tensors) {
      const values = byName.get(name);
      tensors.set(name, { name, shape: t.shape.slice(), type: "F32", values: values ? Float32Array.from(values) : t.values.slice() });
    }
    const out: Qwen2Model = { name: params.name ?? model.name, config: { ...model.config }, tokenizer: model.tokenizer, tensors };
    return { model: out, metrics };
  };
  return {
    loop: { ...params, kind: "pretrain", fingerprint, net, sequences, maxLength, hyper, seed, afterUpdate: () => syncTransposes(net) },
    finish,
  };
}
