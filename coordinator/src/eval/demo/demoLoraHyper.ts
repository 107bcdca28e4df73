import type { LoraHyperParameters } from "../train/types.js";

/**
 * LoRA hyper-parameters of the demo Forge (the seed comes per training). A fixed number of
 * steps, not epochs: every coalition gets the same training budget, so a coalition's utility
 * reflects what its data teaches, not how long it trained; data that is off-task takes steps
 * away from the task and shows up as a negative marginal.
 */
export const DEMO_LORA_HYPER: Omit<LoraHyperParameters, "seed"> = {
  rank: 8,
  alpha: 16,
  targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "output"],
  learningRate: 4e-3,
  weightDecay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  batchSize: 4,
  steps: 16,
  warmupSteps: 2,
  lrSchedule: "linear",
  maxGradNorm: 1,
};
