import { createRandomModel } from "../model/createRandomModel.js";
import { createTensor } from "../model/createTensor.js";
import type { Qwen2Model, Tensor } from "../model/types.js";
import { createTokenizer } from "../tokenizer/createTokenizer.js";
import { trainBpeTokenizer } from "../tokenizer/trainBpeTokenizer.js";
import { pretrainAsync } from "../train/pretrainAsync.js";
import type { ScoredSequence, TrainCallbacks, TrainMetrics, TrainProgress } from "../train/types.js";
import { DemoError } from "./errors.js";
import type { DemoModelSpec } from "./demoModelSpec.js";

export interface BuildDemoBaseModelParameters extends Pick<TrainCallbacks, "signal" | "resumeFrom" | "onCheckpoint"> {
  /** The generic pre-training text (data/demo/pretrain-corpus.txt). */
  corpus: string;
  spec: DemoModelSpec;
  onProgress?: (p: TrainProgress) => void;
}

export interface BuildDemoBaseModelReturnType {
  /** The frozen base: 2-D weights stored as `spec.baseType`, norms F32. */
  model: Qwen2Model;
  /** The same weights before quantization (to measure what quantization costs). */
  f32Model: Qwen2Model;
  /** The pre-training windows, for measuring the base's perplexity on them. */
  sequences: ScoredSequence[];
  metrics: TrainMetrics;
}

export const DEMO_MODEL_NAME = "ingotforge-demo-base";

/**
 * The demo base model from its inputs alone, deterministically: a BPE vocabulary trained on the
 * corpus, the corpus tokenized and cut into `chunkTokens` windows, a seeded random qwen2 model
 * pre-trained on every window (all positions scored), and its 2-D weights quantized to
 * `spec.baseType`. Same corpus and spec, same bytes (the trainer is bit-reproducible).
 * Ctrl-C (the signal) stops after the current step with a TrainAbortedError whose state resumes.
 */
export async function buildDemoBaseModel(params: BuildDemoBaseModelParameters): Promise<BuildDemoBaseModelReturnType> {
  const { corpus, spec } = params;
  if (corpus.trim().length === 0) throw new DemoError("the pre-training corpus is empty; point at data/demo/pretrain-corpus.txt");
  if (spec.chunkTokens < 2 || spec.chunkTokens > spec.config.contextLength) {
    throw new DemoError(`chunkTokens ${spec.chunkTokens} must be in [2, contextLength ${spec.config.contextLength}]`);
  }
  const tokenizerSpec = trainBpeTokenizer({ corpus, vocabSize: spec.vocabSize });
  const ids = createTokenizer(tokenizerSpec).encode(corpus);
  const sequences: ScoredSequence[] = [];
  for (let at = 0; at + spec.chunkTokens <= ids.length; at += spec.chunkTokens) {
    sequences.push({ id: `corpus-${at}`, tokens: ids.slice(at, at + spec.chunkTokens), scoreFrom: 1 });
  }
  if (sequences.length < spec.pretrain.batchSize) {
    throw new DemoError(`the corpus gives ${sequences.length} windows of ${spec.chunkTokens} tokens, fewer than one batch of ${spec.pretrain.batchSize}; use a longer corpus or smaller windows`);
  }
  const config = { ...spec.config, vocabSize: spec.vocabSize };
  const init = createRandomModel({ seed: spec.seed, config, tensorType: "F32", tokenizer: tokenizerSpec, name: DEMO_MODEL_NAME, weightScale: spec.initScale });
  const { model: f32Model, metrics } = await pretrainAsync({
    model: init,
    sequences,
    hyper: spec.pretrain,
    seed: spec.seed,
    name: DEMO_MODEL_NAME,
    checkpointEvery: spec.checkpointEvery,
    ...(params.signal ? { signal: params.signal } : {}),
    ...(params.resumeFrom ? { resumeFrom: params.resumeFrom } : {}),
    ...(params.onCheckpoint ? { onCheckpoint: params.onCheckpoint } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
  });
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of f32Model.tensors) {
    tensors.set(name, t.shape.length === 2 ? createTensor(name, t.shape.slice(), spec.baseType, t.values) : t);
  }
  return { model: { ...f32Model, tensors }, f32Model, sequences, metrics };
}
