import { describe, expect, it } from "vitest";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { ggufToLoraAdapter } from "../../../coordinator/src/eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../../../coordinator/src/eval/model/loraAdapterToGguf.js";
import type { Qwen2Model, Tensor } from "../../../coordinator/src/eval/model/types.js";
import { computeLogProbs } from "../../../coordinator/src/eval/train/computeLogProbs.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import type { LoraHyperParameters } from "../../../coordinator/src/eval/train/types.js";
import { patternSequences, tinyConfig } from "./trainFixtures.js";

const config = tinyConfig({ vocabSize: 40, hiddenSize: 32, intermediateSize: 64, contextLength: 24 });
const tokenizer = {
  tokens: Array.from({ length: config.vocabSize }, (_, i) => `t${i}`),
  merges: [],
  special: { endOfText: 37, imStart: 38, imEnd: 39 },
  pre: "qwen2",
};
const data = patternSequences("qlora", 12, config.vocabSize, 16);
const hyper: LoraHyperParameters = {
  rank: 4,
  alpha: 8,
  targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
  learningRate: 1e-2,
  weightDecay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  batchSize: 4,
  steps: 15,
  seed: 11,
};

/** The same numbers as `m`, declared F32: what a trainer that reads `Tensor.values` must see. */
function asF32(m: Qwen2Model): Qwen2Model {
  const tensors = new Map<string, Tensor>();
  for (const [n, t] of m.tensors) tensors.set(n, { name: n, shape: t.shape, type: "F32", values: t.values });
  return { ...m, tensors };
}

describe("trainLora on a quantized base (QLoRA)", () => {
  for (const tensorType of ["Q4_0", "Q8_0"] as const) {
    it(`trains on the ${tensorType} base's dequantized weights, deterministically, and lowers the loss`, () => {
      const q = createRandomModel({ seed: "qlora", config, tensorType, tokenizer, weightScale: 0.5 });
      expect(q.tensors.get("blk.0.attn_q.weight")!.type).toBe(tensorType);
      const a = trainLora({ model: q, sequences: data, hyper });
      const b = trainLora({ model: q, sequences: data, hyper });
      const f = trainLora({ model: asF32(q), sequences: data, hyper });
      expect(hashAdapter(a.adapter)).toBe(hashAdapter(b.adapter));
      expect(hashAdapter(a.adapter)).toBe(hashAdapter(f.adapter));
      expect(a.metrics.finalLoss).toBeLessThan(a.metrics.lossPerStep[0]);
    });
  }

  it("the base differs between Q4_0 and F32 storage, so the adapters trained on them differ", () => {
    const f32 = createRandomModel({ seed: "qlora", config, tensorType: "F32", tokenizer, weightScale: 0.5 });
    const q4 = createRandomModel({ seed: "qlora", config, tensorType: "Q4_0", tokenizer, weightScale: 0.5 });
    expect(hashAdapter(trainLora({ model: f32, sequences: data, hyper: { ...hyper, steps: 2 } }).adapter)).not.toBe(
      hashAdapter(trainLora({ model: q4, sequences: data, hyper: { ...hyper, steps: 2 } }).adapter),
    );
  });

  it("writes the trained adapter as a GGUF LoRA that reads back to the same bytes and scores the same", () => {
    const q = createRandomModel({ seed: "qlora", config, tensorType: "Q8_0", tokenizer, weightScale: 0.5 });
    const { adapter } = trainLora({ model: q, sequences: data, hyper: { ...hyper, targets: [...hyper.targets, "output"] } });
    const gguf = loraAdapterToGguf(adapter, { baseModelName: q.name });
    const back = ggufToLoraAdapter(gguf);
    expect(hashAdapter(back)).toBe(hashAdapter(adapter));
    const nll = (r: { nll: number }[]) => r.reduce((s, x) => s + x.nll, 0);
    expect(nll(computeLogProbs({ model: q, adapter: back, sequences: data }))).toBe(nll(computeLogProbs({ model: q, adapter, sequences: data })));
    expect(nll(computeLogProbs({ model: q, adapter: back, sequences: data }))).toBeLessThan(nll(computeLogProbs({ model: q, sequences: data })));
  });
});
