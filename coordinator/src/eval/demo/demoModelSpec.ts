import type { Qwen2Config, TensorType } from "../model/types.js";
import type { PretrainHyperParameters } from "../train/types.js";

/**
 * Everything that decides the demo base model's bytes besides the corpus. Part of the cache key:
 * change any field and a new model is built.
 */
export interface DemoModelSpec {
  /** BPE vocabulary trained on the corpus (256 bytes + merges + 3 specials). */
  vocabSize: number;
  /** The qwen2 shape; `vocabSize` comes from the field above. */
  config: Omit<Qwen2Config, "vocabSize">;
  /** The corpus is tokenized once and cut into consecutive windows of this many tokens. */
  chunkTokens: number;
  /** Standard-deviation multiplier of the random initial weights (createRandomModel's weightScale). */
  initScale: number;
  /** Seeds the initial weights and the pretraining batch order. */
  seed: string;
  pretrain: PretrainHyperParameters;
  /** Storage of the frozen base's 2-D weights in the GGUF (the "Q" in QLoRA). */
  baseType: TensorType;
  /** Pretraining state is written every this many steps, so Ctrl-C loses at most that much. */
  checkpointEvery: number;
}

/** Bumped when the build procedure changes in a way the spec does not show (it is in the cache key). */
export const DEMO_MODEL_CODE_VERSION = "ingotforge-demo-base/1";

/**
 * The demo base: hidden 96, 3 layers, 4 query heads over 2 KV heads (GQA), context 512 (the
 * longest demo example is 468 tokens at this vocabulary), untied output so LoRA can target it.
 * Sized so the first build fits about three minutes of 2-core CPU time (measured in the report):
 * the trainer runs in float64 on one thread, and the corpus is 27k tokens at vocab 1024.
 *
 * Q4_0 base: QLoRA's point is a 4-bit frozen base with adapters trained on top; Q4_0 is the 4-bit
 * type llama.cpp's CPU backend and our writer share bit for bit. Its cost on this model (base
 * perplexity F32 vs Q4_0) is recorded in the build manifest.
 */
export const DEMO_MODEL_SPEC: DemoModelSpec = {
  vocabSize: 1024,
  config: {
    hiddenSize: 96,
    numLayers: 3,
    intermediateSize: 256,
    numHeads: 4,
    numKvHeads: 2,
    contextLength: 512,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    tiedEmbeddings: false,
  },
  chunkTokens: 256,
  initScale: 0.5,
  seed: "ingotforge-demo-base",
  pretrain: {
    learningRate: 5e-3,
    weightDecay: 0.01,
    betas: [0.9, 0.95],
    eps: 1e-8,
    batchSize: 8,
    steps: 80,
    warmupSteps: 5,
    lrSchedule: "linear",
    maxGradNorm: 1,
  },
  baseType: "Q4_0",
  checkpointEvery: 5,
};
