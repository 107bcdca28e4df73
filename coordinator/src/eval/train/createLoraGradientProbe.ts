import { attachLora } from "./attachLora.js";
import { TrainInputError } from "./errors.js";
import { computeExampleGradient } from "./computeExampleGradient.js";
import { createWorkspace, type Workspace } from "./forwardBackward.js";
import { createNetwork } from "./network.js";
import type { LoraHyperParameters, ScoredSequence } from "./types.js";
import { validateSequences } from "./validateTrainInputs.js";
import type { Qwen2Model } from "../model/types.js";

export interface LoraGradientProbe {
  paramNames: string[];
  /**
   * The gradient of the mean NLL per scored token over `sequences` with the LoRA parameters set to
   * `values` (`paramNames` order): one Float64Array per parameter, valid until the next call.
   */
  gradientAt(values: readonly Float64Array[], sequences: readonly ScoredSequence[]): { grads: Float64Array[]; nll: number; tokens: number };
}

/**
 * The trainer's network with LoRA pairs of `hyper`'s shape, for gradients at given LoRA values (a
 * checkpoint of another run): the coordinator's side of in-run attribution, where the holdout
 * gradient is taken. Built once, reused for every checkpoint.
 */
export function createLoraGradientProbe(params: { model: Qwen2Model; hyper: Pick<LoraHyperParameters, "rank" | "alpha" | "targets">; maxLength?: number }): LoraGradientProbe {
  const net = createNetwork(params.model, { trainBase: false });
  attachLora(net, { rank: params.hyper.rank, alpha: params.hyper.alpha, targets: params.hyper.targets, seed: "probe" });
  const paramNames = net.params.map((p) => p.name);
  let ws: Workspace | undefined;
  return {
    paramNames,
    gradientAt(values, sequences) {
      if (values.length !== net.params.length) throw new TrainInputError(`a checkpoint with ${values.length} parameters, the network has ${net.params.length}`, { hint: "Use a checkpoint of a run with the same LoRA rank and targets" });
      net.params.forEach((p, i) => {
        if (values[i].length !== p.values.length) throw new TrainInputError(`checkpoint parameter ${p.name} has ${values[i].length} values, not ${p.values.length}`, { hint: "Use a checkpoint of a run with the same LoRA rank and targets" });
        p.values.set(values[i]);
      });
      const maxLength = validateSequences(sequences, params.model.config);
      if (!ws || ws.maxRows < maxLength) ws = createWorkspace(net, Math.max(maxLength, params.maxLength ?? 0));
      const { nll, tokens } = computeExampleGradient(net, ws, sequences);
      return { grads: net.params.map((p) => p.grad), nll, tokens };
    },
  };
}
