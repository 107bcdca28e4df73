import { describe, expect, it } from "vitest";
import { computeLogProbs } from "../../../coordinator/src/eval/train/computeLogProbs.js";
import { TrainAbortedError, TrainDivergedError, TrainInputError, TrainResumeError } from "../../../coordinator/src/eval/train/errors.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { pretrain } from "../../../coordinator/src/eval/train/pretrain.js";
import { deserializeTrainState, serializeTrainState } from "../../../coordinator/src/eval/train/serializeTrainState.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import { trainLoraAsync } from "../../../coordinator/src/eval/train/trainLoraAsync.js";
import { pretrainAsync } from "../../../coordinator/src/eval/train/pretrainAsync.js";
import type { LoraHyperParameters, PretrainHyperParameters, TrainProgress, TrainState } from "../../../coordinator/src/eval/train/types.js";
import { patternSequences, randomModel, randomSequences, tinyConfig } from "./trainFixtures.js";

const cfg = tinyConfig({ vocabSize: 40, contextLength: 24 });
const base = randomModel("train-base", cfg);
const data = patternSequences("train-data", 12, cfg.vocabSize, 16);

const loraHyper = (over: Partial<LoraHyperParameters> = {}): LoraHyperParameters => ({
  rank: 4,
  alpha: 8,
  targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
  learningRate: 5e-3,
  weightDecay: 0.01,
  betas: [0.9, 0.999],
  eps: 1e-8,
  batchSize: 4,
  steps: 12,
  seed: "s1",
  ...over,
});

const preHyper = (over: Partial<PretrainHyperParameters> = {}): PretrainHyperParameters => ({
  learningRate: 3e-3,
  weightDecay: 0.01,
  betas: [0.9, 0.95],
  eps: 1e-8,
  batchSize: 4,
  epochs: 3,
  warmupSteps: 2,
  lrSchedule: "linear",
  maxGradNorm: 1,
  ...over,
});

function abortAfter(steps: number): { signal: AbortSignal; onProgress: (p: TrainProgress) => void } {
  const controller = new AbortController();
  return { signal: controller.signal, onProgress: (p) => { if (p.step === steps) controller.abort(new Error("Ctrl-C")); } };
}

describe("trainLora", () => {
  it("gives bit-identical adapters on two runs with the same inputs and seed", () => {
    const a = trainLora({ model: base, sequences: data, hyper: loraHyper() });
    const b = trainLora({ model: base, sequences: data, hyper: loraHyper() });
    expect(hashAdapter(a.adapter)).toBe(hashAdapter(b.adapter));
    a.adapter.pairs.forEach((p, i) => {
      expect(Buffer.from(p.a.buffer).equals(Buffer.from(b.adapter.pairs[i].a.buffer))).toBe(true);
      expect(Buffer.from(p.b.buffer).equals(Buffer.from(b.adapter.pairs[i].b.buffer))).toBe(true);
    });
    expect(a.metrics.lossPerStep).toEqual(b.metrics.lossPerStep);
  });

  it("gives a different adapter for a different seed", () => {
    const a = trainLora({ model: base, sequences: data, hyper: loraHyper({ seed: "s1" }) });
    const b = trainLora({ model: base, sequences: data, hyper: loraHyper({ seed: "s2" }) });
    expect(hashAdapter(a.adapter)).not.toBe(hashAdapter(b.adapter));
  });

  it("lowers the loss on the response tokens and the trained adapter scores them better than the base", () => {
    const { adapter, metrics } = trainLora({ model: base, sequences: data, hyper: loraHyper({ steps: 30, learningRate: 1e-2 }) });
    expect(metrics.steps).toBe(30);
    expect(metrics.lossPerStep).toHaveLength(30);
    expect(metrics.finalLoss).toBeLessThan(metrics.lossPerStep[0] * 0.8);
    expect(metrics.tokens).toBe(30 * 4 * (16 - 2));
    expect(metrics.tokensPerSecond).toBeGreaterThan(0);
    const nll = (r: { nll: number }[]) => r.reduce((s, x) => s + x.nll, 0);
    expect(nll(computeLogProbs({ model: base, adapter, sequences: data }))).toBeLessThan(nll(computeLogProbs({ model: base, sequences: data })));
  });

  it("emits an adapter shaped as GGUF wants it: rank, alpha, A [n_in, r] and B [r, n_out] for every target in every layer", () => {
    const { adapter } = trainLora({ model: base, sequences: data, hyper: loraHyper({ steps: 1, targets: ["ffn_down", "attn_k", "output"] }) });
    expect(adapter.rank).toBe(4);
    expect(adapter.alpha).toBe(8);
    expect(adapter.pairs.map((p) => p.target)).toEqual([
      "blk.0.attn_k.weight", "blk.0.ffn_down.weight", "blk.1.attn_k.weight", "blk.1.ffn_down.weight", "output.weight",
    ]);
    const kv = (cfg.hiddenSize / cfg.numHeads) * cfg.numKvHeads;
    const k = adapter.pairs[0];
    expect([k.nIn, k.nOut, k.a.length, k.b.length]).toEqual([cfg.hiddenSize, kv, 4 * cfg.hiddenSize, kv * 4]);
    const down = adapter.pairs[1];
    expect([down.nIn, down.nOut]).toEqual([cfg.intermediateSize, cfg.hiddenSize]);
    expect(adapter.pairs.every((p) => p.a instanceof Float32Array && p.b instanceof Float32Array)).toBe(true);
  });

  it("starts from B = 0 with A drawn from U(−1/√n_in, 1/√n_in), so step 0 is the base model", () => {
    const { adapter, metrics } = trainLora({ model: base, sequences: data, hyper: loraHyper({ steps: 1, batchSize: data.length }) });
    const baseNll = computeLogProbs({ model: base, sequences: data }).reduce((s, x) => s + x.nll, 0);
    expect(metrics.lossPerStep[0]).toBeCloseTo(baseNll / (data.length * 14), 12);
    for (const p of adapter.pairs) {
      const bound = 1 / Math.sqrt(p.nIn) + 5e-3; // one AdamW step moves a value by at most ~lr
      expect(p.a.every((x) => Math.abs(x) <= bound)).toBe(true);
    }
  });

  it("trains only on positions ≥ scoreFrom: the loss is the response tokens' NLL under the same weights", () => {
    const seq = { id: "one", tokens: data[0].tokens, scoreFrom: 9 };
    const full = computeLogProbs({ model: base, sequences: [{ ...seq, scoreFrom: 1 }] })[0];
    const tail = Array.from(full.tokenLogProbs.slice(9 - 1)).reduce((s, x) => s - x, 0);
    const { metrics } = trainLora({ model: base, sequences: [seq], hyper: loraHyper({ steps: 1, batchSize: 1 }) });
    expect(metrics.tokens).toBe(16 - 9);
    expect(metrics.lossPerStep[0]).toBeCloseTo(tail / 7, 12);
  });

  it("reports progress after every step with a finite ETA reaching 0", () => {
    const seen: TrainProgress[] = [];
    trainLora({ model: base, sequences: data, hyper: loraHyper({ steps: 5 }), onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.every((p) => p.totalSteps === 5 && Number.isFinite(p.loss) && Number.isFinite(p.etaSeconds) && p.tokensPerSecond > 0)).toBe(true);
    expect(seen[4].etaSeconds).toBe(0);
  });

  it("stops between steps on abort, and resuming from the error's state ends bit-identical to an uninterrupted run", () => {
    const hyper = loraHyper({ steps: 9, batchSize: 5 }); // 9 steps over 12 sequences: crosses an epoch boundary
    const whole = trainLora({ model: base, sequences: data, hyper });
    let state: TrainState | undefined;
    try {
      trainLora({ model: base, sequences: data, hyper, ...abortAfter(4) });
      expect.unreachable("training should have been aborted");
    } catch (e) {
      expect(e).toBeInstanceOf(TrainAbortedError);
      const err = e as TrainAbortedError<TrainState>;
      expect(err.step).toBe(4);
      expect(err.retryable).toBe(true);
      state = err.state;
    }
    expect(state!.step).toBe(4);
    const resumed = trainLora({ model: base, sequences: data, hyper, resumeFrom: state });
    expect(hashAdapter(resumed.adapter)).toBe(hashAdapter(whole.adapter));
    expect(resumed.metrics.lossPerStep).toEqual(whole.metrics.lossPerStep);
    expect(resumed.metrics.tokens).toBe(whole.metrics.tokens);
  });

  it("refuses a resume state made with other hyper-parameters", () => {
    let state: TrainState | undefined;
    try {
      trainLora({ model: base, sequences: data, hyper: loraHyper(), ...abortAfter(2) });
    } catch (e) {
      state = (e as TrainAbortedError<TrainState>).state;
    }
    expect(() => trainLora({ model: base, sequences: data, hyper: loraHyper({ learningRate: 1e-3 }), resumeFrom: state })).toThrow(TrainResumeError);
  });

  it("rejects a sequence with an out-of-vocabulary token, naming the sequence and position", () => {
    const bad = [...data.slice(0, 2), { id: "broken", tokens: [1, 2, cfg.vocabSize, 3], scoreFrom: 2 }];
    expect(() => trainLora({ model: base, sequences: bad, hyper: loraHyper() })).toThrow(/Sequence 2 \(id "broken"\) has token 40 at position 2/);
  });

  it("rejects sequences longer than the context and ones with nothing to train on", () => {
    const long = { id: "long", tokens: Array.from({ length: cfg.contextLength + 1 }, () => 1), scoreFrom: 3 };
    expect(() => trainLora({ model: base, sequences: [long], hyper: loraHyper() })).toThrow(TrainInputError);
    expect(() => trainLora({ model: base, sequences: [{ id: "p", tokens: [1, 2, 3], scoreFrom: 3 }], hyper: loraHyper() })).toThrow(/scoreFrom 3, outside 1 … 2/);
  });

  it("stops with TrainDivergedError (and a hint to lower the learning rate) when the loss stops being finite", () => {
    const run = () => pretrain({ model: base, sequences: data, hyper: preHyper({ learningRate: 1e6, warmupSteps: 0, maxGradNorm: undefined, epochs: 20 }), seed: 1 });
    expect(run).toThrow(TrainDivergedError);
    expect(run).toThrow(/Lower the learning rate/);
  });

  it("rejects bad hyper-parameters before training", () => {
    expect(() => trainLora({ model: base, sequences: data, hyper: loraHyper({ epochs: 2 }) })).toThrow(/exactly one of steps and epochs/);
    expect(() => trainLora({ model: base, sequences: data, hyper: loraHyper({ rank: 0 }) })).toThrow(/rank must be a positive integer/);
    expect(() => trainLora({ model: base, sequences: data, hyper: loraHyper({ targets: ["attn_z" as never] }) })).toThrow(/Unknown LoRA target/);
    const tied = randomModel("tied", tinyConfig({ tiedEmbeddings: true }));
    expect(() => trainLora({ model: tied, sequences: data, hyper: loraHyper({ targets: ["output"] }) })).toThrow(/untied embeddings/);
  });
});

describe("hashAdapter", () => {
  const { adapter } = trainLora({ model: base, sequences: data, hyper: loraHyper({ steps: 2 }) });

  it("changes when a single bit of one value flips", () => {
    const flipped = { ...adapter, pairs: adapter.pairs.map((p) => ({ ...p, b: p.b.slice() })) };
    new Uint32Array(flipped.pairs[3].b.buffer)[5] ^= 1;
    expect(hashAdapter(flipped)).not.toBe(hashAdapter(adapter));
  });

  it("does not depend on the order of the pairs, and depends on alpha", () => {
    expect(hashAdapter({ ...adapter, pairs: adapter.pairs.slice().reverse() })).toBe(hashAdapter(adapter));
    expect(hashAdapter({ ...adapter, alpha: adapter.alpha + 1 })).not.toBe(hashAdapter(adapter));
  });
});

describe("pretrain", () => {
  const corpus = patternSequences("corpus", 10, cfg.vocabSize, 20).map((s) => ({ ...s, scoreFrom: 1 }));

  it("trains every tensor and returns an F32 model that fits the corpus better", () => {
    const { model, metrics } = pretrain({ model: base, sequences: corpus, hyper: preHyper({ epochs: 8 }), seed: 3, name: "demo-base" });
    expect(model.name).toBe("demo-base");
    expect([...model.tensors.keys()].sort()).toEqual([...base.tensors.keys()].sort());
    for (const [name, t] of model.tensors) {
      expect(t.type, name).toBe("F32");
      expect(Buffer.from(t.values.buffer).equals(Buffer.from(base.tensors.get(name)!.values.buffer)), `${name} unchanged`).toBe(false);
    }
    expect(metrics.steps).toBe(8 * 3);
    const nll = (m: typeof base) => computeLogProbs({ model: m, sequences: corpus }).reduce((s, x) => s + x.nll, 0);
    expect(nll(model)).toBeLessThan(nll(base) * 0.8);
  });

  it("resumed after an abort ends bit-identical to an uninterrupted run", () => {
    const whole = pretrain({ model: base, sequences: corpus, hyper: preHyper(), seed: 3 });
    let state: TrainState | undefined;
    try {
      pretrain({ model: base, sequences: corpus, hyper: preHyper(), seed: 3, ...abortAfter(5) });
    } catch (e) {
      state = (e as TrainAbortedError<TrainState>).state;
    }
    expect(state?.step).toBe(5);
    const resumed = pretrain({ model: base, sequences: corpus, hyper: preHyper(), seed: 3, resumeFrom: state });
    for (const [name, t] of whole.model.tensors) {
      expect(Buffer.from(resumed.model.tensors.get(name)!.values.buffer).equals(Buffer.from(t.values.buffer)), name).toBe(true);
    }
  });

  it("refuses to resume a LoRA state and a state from another seed", () => {
    let loraState: TrainState | undefined;
    try {
      trainLora({ model: base, sequences: corpus, hyper: loraHyper(), ...abortAfter(1) });
    } catch (e) {
      loraState = (e as TrainAbortedError<TrainState>).state;
    }
    expect(() => pretrain({ model: base, sequences: corpus, hyper: preHyper(), seed: 3, resumeFrom: loraState })).toThrow(/from a lora run/);
    let state: TrainState | undefined;
    try {
      pretrain({ model: base, sequences: corpus, hyper: preHyper(), seed: 3, ...abortAfter(1) });
    } catch (e) {
      state = (e as TrainAbortedError<TrainState>).state;
    }
    expect(() => pretrain({ model: base, sequences: corpus, hyper: preHyper(), seed: 4, resumeFrom: state })).toThrow(TrainResumeError);
  });
});

describe("serializeTrainState", () => {
  const corpus = patternSequences("ckpt", 8, cfg.vocabSize, 12).map((s) => ({ ...s, scoreFrom: 1 }));
  const hyper = preHyper({ epochs: 2, batchSize: 3 });

  it("checkpoints every N steps to bytes that resume (in a new run) to the bit-identical model", () => {
    const whole = pretrain({ model: base, sequences: corpus, hyper, seed: 9 });
    const checkpoints: Uint8Array[] = [];
    pretrain({ model: base, sequences: corpus, hyper, seed: 9, checkpointEvery: 2, onCheckpoint: (s) => checkpoints.push(serializeTrainState(s)) });
    expect(checkpoints.map((c) => deserializeTrainState(c).step)).toEqual([2, 4]);
    const resumed = pretrain({ model: base, sequences: corpus, hyper, seed: 9, resumeFrom: deserializeTrainState(checkpoints[0]) });
    for (const [name, t] of whole.model.tensors) {
      expect(Buffer.from(resumed.model.tensors.get(name)!.values.buffer).equals(Buffer.from(t.values.buffer)), name).toBe(true);
    }
    expect(resumed.metrics.lossPerStep).toEqual(whole.metrics.lossPerStep);
  });

  it("refuses a truncated or corrupted checkpoint with a clear error", () => {
    let bytes: Uint8Array | undefined;
    pretrain({ model: base, sequences: corpus, hyper, seed: 9, checkpointEvery: 2, onCheckpoint: (s) => { bytes ??= serializeTrainState(s); } });
    expect(() => deserializeTrainState(bytes!.subarray(0, bytes!.length - 9))).toThrow(/checksum mismatch/);
    const flipped = bytes!.slice();
    flipped[200] ^= 4;
    expect(() => deserializeTrainState(flipped)).toThrow(TrainResumeError);
  });
});

describe("trainLoraAsync and pretrainAsync", () => {
  it("hear an abort fired from the event loop (as a SIGINT handler would) and stop between steps; the resumed run matches", async () => {
    const hyper = loraHyper({ steps: 40 });
    const whole = trainLora({ model: base, sequences: data, hyper });
    const controller = new AbortController();
    let scheduled = false;
    const onProgress = (p: TrainProgress) => {
      if (p.step === 2 && !scheduled) {
        scheduled = true;
        setTimeout(() => controller.abort(new Error("SIGINT")), 0);
      }
    };
    const err = await trainLoraAsync({ model: base, sequences: data, hyper, signal: controller.signal, onProgress }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainAbortedError);
    const { state, step } = err as TrainAbortedError<TrainState>;
    expect(step).toBeGreaterThanOrEqual(2);
    expect(step).toBeLessThan(40);
    const resumed = await trainLoraAsync({ model: base, sequences: data, hyper, resumeFrom: state });
    expect(hashAdapter(resumed.adapter)).toBe(hashAdapter(whole.adapter));
  });

  it("pretrainAsync gives the model pretrain gives", async () => {
    const corpus = patternSequences("async", 6, cfg.vocabSize, 12).map((s) => ({ ...s, scoreFrom: 1 }));
    const a = pretrain({ model: base, sequences: corpus, hyper: preHyper({ epochs: 2 }), seed: 1 });
    const b = await pretrainAsync({ model: base, sequences: corpus, hyper: preHyper({ epochs: 2 }), seed: 1 });
    for (const [name, t] of a.model.tensors) expect(Buffer.from(b.model.tensors.get(name)!.values.buffer).equals(Buffer.from(t.values.buffer)), name).toBe(true);
  });
});
