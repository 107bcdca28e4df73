import { describe, expect, it } from "vitest";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import type { LoraAdapter, Qwen2Config } from "../../../coordinator/src/eval/model/types.js";
import { forwardReference64 } from "../../../coordinator/src/eval/reference/forwardReference64.js";
import { computeLogProbs } from "../../../coordinator/src/eval/train/computeLogProbs.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { patternSequences, randomSequences, tinyConfig } from "./trainFixtures.js";

/**
 * The trainer differentiates its own forward pass; these tests pin that pass to the gguf
 * engineer's independent float64 reference (its "exact" arithmetic: dequantized weights, float64
 * RoPE angles), which is in turn pinned to llama.cpp. Both are float64 with different summation
 * orders, so they agree to rounding: we assert 1e-9 nats per token.
 */
const TOL = 1e-9;

function tokenizerFor(config: Qwen2Config) {
  return { tokens: Array.from({ length: config.vocabSize }, (_, i) => `t${i}`), merges: [], special: { endOfText: 0, imStart: 1, imEnd: 2 }, pre: "qwen2" };
}

/** A trained adapter on every target (output layer included), with B pushed off zero everywhere. */
function adapterFor(config: Qwen2Config, model: ReturnType<typeof createRandomModel>): LoraAdapter {
  const targets = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;
  const { adapter } = trainLora({
    model,
    sequences: patternSequences("ref-train", 6, config.vocabSize, 14),
    hyper: {
      rank: 4, alpha: 6, targets: config.tiedEmbeddings ? [...targets] : [...targets, "output"],
      learningRate: 2e-2, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, batchSize: 3, steps: 4, seed: "ref",
    },
  });
  const prng = createPrng("ref-b");
  for (const p of adapter.pairs) for (let i = 0; i < p.b.length; i++) p.b[i] += 0.05 * (2 * prng.next() - 1);
  return adapter;
}

function maxGap(config: Qwen2Config, withAdapter: boolean): number {
  const model = createRandomModel({ seed: `ref-${JSON.stringify(config)}`, config, tensorType: "F32", tokenizer: tokenizerFor(config), weightScale: 1 });
  const adapter = withAdapter ? adapterFor(config, model) : undefined;
  const sequences = randomSequences("ref-seq", 3, config.vocabSize, 12, config.contextLength);
  const ours = computeLogProbs({ model, adapter, sequences });
  let worst = 0;
  sequences.forEach((s, i) => {
    const ref = forwardReference64(model, s.tokens, { adapter, scoreFrom: s.scoreFrom, arithmetic: "exact" }).tokenLogProbs;
    expect(ours[i].tokenLogProbs.length).toBe(ref.length);
    ref.forEach((lp, k) => (worst = Math.max(worst, Math.abs(lp - ours[i].tokenLogProbs[k]))));
  });
  return worst;
}

describe("the trainer's forward pass against forwardReference64", () => {
  it("gives the same per-token log-probs within 1e-9 on an F32 model with a LoRA adapter on every projection and the output layer", () => {
    expect(maxGap(tinyConfig({ vocabSize: 64, hiddenSize: 32, intermediateSize: 48, contextLength: 40 }), true)).toBeLessThan(TOL);
  });

  it("gives the same log-probs without an adapter, with tied embeddings and 4:1 grouped-query attention", () => {
    const config = tinyConfig({ vocabSize: 64, hiddenSize: 32, numHeads: 4, numKvHeads: 1, contextLength: 40, tiedEmbeddings: true, ropeTheta: 1_000_000 });
    expect(maxGap(config, false)).toBeLessThan(TOL);
    expect(maxGap(config, true)).toBeLessThan(TOL);
  });
});
