import type { LoraAdapter, Qwen2Model } from "../model/types.js";
import type { ScoredSequence } from "../engine/types.js";
import type { LoraTargetKind } from "./network.js";

/** The scoring engine's sequence: positions scoreFrom … tokens.length−1 are scored and trained on. */
export type { ScoredSequence } from "../engine/types.js";

/** AdamW and schedule settings shared by the LoRA trainer and the pretrainer. */
export interface OptimizerHyperParameters {
  learningRate: number;
  /** Decoupled (AdamW) weight decay, applied to matrices and LoRA factors, not to norms or biases. */
  weightDecay: number;
  betas: [number, number];
  eps: number;
  /** Sequences per optimizer step; the loss is the mean over the batch's scored tokens. */
  batchSize: number;
  /** Exactly one of steps / epochs. An epoch is ⌈n / batchSize⌉ steps over one seeded permutation. */
  steps?: number;
  epochs?: number;
  /** Linear warm-up of the learning rate over this many steps (default 0). */
  warmupSteps?: number;
  /** "constant" (default) or "linear": after warm-up, decay linearly to 0 at the last step. */
  lrSchedule?: "constant" | "linear";
  /** Clip the global gradient norm to this value before each update (default: no clipping). */
  maxGradNorm?: number;
}

export interface LoraHyperParameters extends OptimizerHyperParameters {
  rank: number;
  alpha: number;
  /** Projection kinds that get a LoRA pair in every layer; "output" adds one on the output layer. */
  targets: LoraTargetKind[];
  /** Seeds A's initialisation and the batch order. */
  seed: string | number;
}

export type PretrainHyperParameters = OptimizerHyperParameters;

/** What one step reports (after it finished). */
export interface TrainProgress {
  step: number;
  totalSteps: number;
  /** Mean loss (nats per scored token) of this step's batch. */
  loss: number;
  /** Input tokens per second over this run so far. */
  tokensPerSecond: number;
  etaSeconds: number;
}

export interface TrainMetrics {
  steps: number;
  /** Scored (trained-on) tokens seen, summed over all steps. */
  tokens: number;
  /** All tokens that went through the model (prompt tokens included), summed over all steps. */
  inputTokens: number;
  /** Mean loss per scored token of each step, index = step − 1. */
  lossPerStep: number[];
  /** Loss of the last step. */
  finalLoss: number;
  /** inputTokens / second over the steps run in this call (a resumed run counts its own steps). */
  tokensPerSecond: number;
  /** Wall time of this call in milliseconds. */
  wallMs: number;
}

/**
 * Everything needed to continue a run exactly: the master weights (float64), AdamW moments and
 * the step count, tied by `fingerprint` to the inputs that produced them.
 */
export interface TrainState {
  kind: "lora" | "pretrain";
  fingerprint: string;
  step: number;
  paramNames: string[];
  values: Float64Array[];
  m: Float64Array[];
  v: Float64Array[];
  lossPerStep: number[];
  tokens: number;
  inputTokens: number;
}

export interface TrainCallbacks {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Continue from a state taken from TrainAbortedError.state or onCheckpoint. */
  resumeFrom?: TrainState;
  /** Called with a snapshot every `checkpointEvery` steps (and never mid-step). */
  onCheckpoint?: (state: TrainState) => void;
  checkpointEvery?: number;
}

export interface TrainLoraParameters extends TrainCallbacks {
  model: Qwen2Model;
  sequences: ScoredSequence[];
  hyper: LoraHyperParameters;
}

export interface TrainLoraReturnType {
  adapter: LoraAdapter;
  metrics: TrainMetrics;
}

export interface PretrainParameters extends TrainCallbacks {
  model: Qwen2Model;
  sequences: ScoredSequence[];
  hyper: PretrainHyperParameters;
  /** Seeds the batch order. */
  seed: string | number;
  /** Name of the returned model (default: the input model's name). */
  name?: string;
}

export interface PretrainReturnType {
  model: Qwen2Model;
  metrics: TrainMetrics;
}
