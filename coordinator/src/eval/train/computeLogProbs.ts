import type { LoraAdapter, Qwen2Model } from "../model/types.js";
import { attachLoraAdapter } from "./attachLora.js";
import { createWorkspace, forwardBackward } from "./forwardBackward.js";
import { createNetwork } from "./network.js";
import type { ScoredSequence } from "./types.js";
import { validateSequences } from "./validateTrainInputs.js";

export interface ComputeLogProbsParameters {
  model: Qwen2Model;
  adapter?: LoraAdapter;
  sequences: ScoredSequence[];
}

export interface SequenceLogProbs {
  id: string;
  nll: number;
  tokens: number;
  /** log p(token_p | tokens before p) for p = scoreFrom … length−1. */
  tokenLogProbs: Float64Array;
}

/**
 * Teacher-forced log-probs with the trainer's own float64 forward pass (the one it differentiates),
 * in the scoring engine's result shape; tests compare it with the reference and with llama.cpp.
 */
export function computeLogProbs(params: ComputeLogProbsParameters): SequenceLogProbs[] {
  const net = createNetwork(params.model, { trainBase: false });
  if (params.adapter) attachLoraAdapter(net, params.adapter);
  const maxLength = validateSequences(params.sequences, params.model.config);
  const ws = createWorkspace(net, maxLength);
  return params.sequences.map((s) => {
    const r = forwardBackward(net, ws, s.tokens, s.scoreFrom, null);
    return { id: s.id, nll: r.nll, tokens: r.tokens, tokenLogProbs: ws.logProbs.slice(0, r.tokens) };
  });
}
