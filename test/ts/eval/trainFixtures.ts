import type { BpeTokenizerSpec, Qwen2Config, Qwen2Model, Tensor } from "../../../coordinator/src/eval/model/types.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { expectedShapes } from "../../../coordinator/src/eval/train/network.js";
import type { LoraHyperParameters, ScoredSequence } from "../../../coordinator/src/eval/train/types.js";

/** A small qwen2 config with grouped-query attention (4 heads over 2 kv heads). */
export function tinyConfig(over: Partial<Qwen2Config> = {}): Qwen2Config {
  return {
    vocabSize: 48,
    hiddenSize: 16,
    numLayers: 2,
    intermediateSize: 24,
    numHeads: 4,
    numKvHeads: 2,
    contextLength: 32,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    tiedEmbeddings: false,
    ...over,
  };
}

function tokenizerFor(vocab: number): BpeTokenizerSpec {
  return {
    tokens: Array.from({ length: vocab }, (_, i) => `t${i}`),
    merges: [],
    special: { endOfText: vocab - 3, imStart: vocab - 2, imEnd: vocab - 1 },
    pre: "qwen2",
  };
}

/**
 * A random F32 qwen2 model built here, independent of the gguf engineer's fixtures, so the trainer's
 * tests stand alone. Norm weights sit near 1 and biases near 0 as in a real checkpoint.
 */
export function randomModel(seed: string | number, config: Qwen2Config, scale = 0.3): Qwen2Model {
  const prng = createPrng(`fixture/${seed}`);
  const tensors = new Map<string, Tensor>();
  for (const [name, shape] of expectedShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const isNorm = name.includes("norm");
    const fanIn = shape.length === 2 ? shape[0] : 1;
    for (let i = 0; i < n; i++) {
      const u = 2 * prng.next() - 1;
      values[i] = isNorm ? 1 + 0.2 * u : name.endsWith(".bias") ? 0.1 * u : (scale * u * Math.sqrt(3)) / Math.sqrt(fanIn) * 2;
    }
    tensors.set(name, { name, shape, type: "F32", values });
  }
  return { name: `fixture-${seed}`, config, tokenizer: tokenizerFor(config.vocabSize), tensors };
}

/** `count` random sequences of lengths in [minLen, maxLen] with a prompt of about a third. */
export function randomSequences(seed: string | number, count: number, vocab: number, minLen: number, maxLen: number): ScoredSequence[] {
  const prng = createPrng(`sequences/${seed}`);
  return Array.from({ length: count }, (_, i) => {
    const len = minLen + prng.nextInt(maxLen - minLen + 1);
    const tokens = Array.from({ length: len }, () => prng.nextInt(vocab));
    return { id: `seq-${i}`, tokens, scoreFrom: Math.max(1, Math.floor(len / 3)) };
  });
}

/** Sequences with structure a model can learn: each token is a fixed function of the previous two. */
export function patternSequences(seed: string | number, count: number, vocab: number, len: number): ScoredSequence[] {
  const prng = createPrng(`pattern/${seed}`);
  return Array.from({ length: count }, (_, i) => {
    const tokens = [prng.nextInt(vocab), prng.nextInt(vocab)];
    while (tokens.length < len) tokens.push((tokens[tokens.length - 1] * 3 + tokens[tokens.length - 2] + 1) % vocab);
    return { id: `pat-${i}`, tokens, scoreFrom: 2 };
  });
}

/** The tiny model of the in-run attribution tests (inRunAttribution, inRunCost, inRunOrderLuck). */
export const IN_RUN_TEST_CONFIG: Qwen2Config = tinyConfig({ vocabSize: 48, hiddenSize: 16, numLayers: 2, contextLength: 32 });

/** Their LoRA run: rank 4 on four targets, AdamW at 1e-2, batches of 2 for two epochs. */
export const IN_RUN_TEST_HYPER: Omit<LoraHyperParameters, "seed"> = {
  rank: 4,
  alpha: 8,
  targets: ["attn_q", "attn_v", "ffn_up", "ffn_down"],
  learningRate: 1e-2,
  weightDecay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  batchSize: 2,
  epochs: 2,
};

/** `seqs` with the ids `<prefix>-0`, `<prefix>-1`, … */
export function tagSequences(prefix: string, seqs: readonly ScoredSequence[]): ScoredSequence[] {
  return seqs.map((s, i) => ({ ...s, id: `${prefix}-${i}` }));
}
