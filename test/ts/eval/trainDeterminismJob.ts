import type { TrainLoraParameters } from "../../../coordinator/src/eval/train/types.js";
import { patternSequences, randomModel, tinyConfig } from "./trainFixtures.js";

/**
 * A LoRA job big enough that its products take the WebAssembly path (≥ 16k multiply-adds with
 * 4+ rows), small enough to train in an interpreter-only child process.
 */
export function determinismJob(): TrainLoraParameters {
  const config = tinyConfig({ vocabSize: 96, hiddenSize: 32, intermediateSize: 64, contextLength: 40 });
  return {
    model: randomModel("determinism", config),
    sequences: patternSequences("determinism", 6, config.vocabSize, 36),
    hyper: {
      rank: 4,
      alpha: 8,
      targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "output"],
      learningRate: 1e-2,
      weightDecay: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      batchSize: 3,
      steps: 3,
      seed: "determinism",
    },
  };
}
