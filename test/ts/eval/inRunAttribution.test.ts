import { describe, expect, it } from "vitest";
import { attributeContributions } from "../../../coordinator/src/eval/attribution/attributeContributions.js";
import { computeInRunValues } from "../../../coordinator/src/eval/attribution/computeInRunValues.js";
import { createInRunRunner, localInRunFeatures } from "../../../coordinator/src/eval/attribution/createInRunRunner.js";
import { AttributionError } from "../../../coordinator/src/eval/attribution/errors.js";
import { DEFAULT_IN_RUN_SETTINGS, type InRunSettings } from "../../../coordinator/src/eval/attribution/inRunTypes.js";
import { createGradientProjection } from "../../../coordinator/src/eval/attribution/projectGradient.js";
import { DEFAULT_ATTRIBUTION_METHOD, resolveAttributionMethod } from "../../../coordinator/src/eval/attribution/resolveAttributionMethod.js";
import { parseEstimator } from "../../../coordinator/src/eval/cli/parseEstimator.js";
import { parseEvalSettings } from "../../../coordinator/src/service/parseEvalSettings.js";
import { DEFAULT_EVAL_SETTINGS } from "../../../coordinator/src/service/createCoordinatorService.js";
import { spearmanCorrelation } from "../../../coordinator/src/eval/attribution/spearmanCorrelation.js";
import { computeInRunFeatures } from "../../../coordinator/src/eval/train/computeInRunFeatures.js";
import { computeLogProbs } from "../../../coordinator/src/eval/train/computeLogProbs.js";
import { createLoraGradientProbe } from "../../../coordinator/src/eval/train/createLoraGradientProbe.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { planInRunCheckpoints } from "../../../coordinator/src/eval/train/planInRunCheckpoints.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import type { ScoredSequence } from "../../../coordinator/src/eval/train/types.js";
import { IN_RUN_TEST_CONFIG, IN_RUN_TEST_HYPER, patternSequences, randomModel, randomSequences, tagSequences } from "./trainFixtures.js";

const config = IN_RUN_TEST_CONFIG;
const model = randomModel("in-run", config);
const HYPER = IN_RUN_TEST_HYPER;
const SETTINGS: InRunSettings = { checkpoints: 3, projectionDim: 256, projectionSeed: "test", preconditioner: "none", calibration: { samples: 4, seed: "test" } };

const tag = tagSequences;
const holdout = tag("hold", patternSequences("holdout", 4, 48, 16));
// Copies of the holdout's examples first, then two more of its pattern; off-pattern random tokens.
const relevant = tag("rel", [...patternSequences("holdout", 4, 48, 16), ...patternSequences("relevant", 2, 48, 16)]);
const irrelevant = tag("irr", randomSequences("irrelevant", 6, 48, 12, 16));
const examples = new Map([...relevant, ...irrelevant].map((s) => [s.id, s]));

const inRun = createInRunRunner({ model, examples, holdout, hyper: HYPER });
const runner = (over: Partial<InRunSettings> = {}) => (players: string[][], seed: number) => inRun(players, seed, { ...SETTINGS, ...over });
const ids = (seqs: ScoredSequence[]) => seqs.map((s) => s.id);

describe("in-run attribution (TracIn over checkpoints on the deterministic trainer)", () => {
  it("gives the same bits on the same inputs and seed", async () => {
    const players = [ids(relevant.slice(0, 3)), ids(irrelevant.slice(0, 3)), ids(relevant.slice(3))];
    const a = await runner()(players, 7);
    const b = await runner()(players, 7);
    expect(a.values.map((v) => v.value)).toEqual(b.values.map((v) => v.value));
    a.values.forEach((v, i) => {
      expect(Object.is(v.value, b.values[i].value)).toBe(true);
      expect(Object.is(v.stdError, b.values[i].stdError)).toBe(true);
    });
    expect(a.checkpoints).toEqual(b.checkpoints);
    expect(a.values.every((v) => Number.isFinite(v.value) && v.stdError > 0)).toBe(true);
    const c = await runner()(players, 8);
    expect(c.checkpoints[1].stateHash).not.toBe(a.checkpoints[1].stateHash);
  });

  it("leaves the served adapter bit-identical to trainLora's", async () => {
    const sequences = [...relevant, ...irrelevant];
    const hyper = { ...HYPER, seed: 3 };
    const projection = createGradientProjection({ seed: "x", dim: 64 });
    const withFeatures = await computeInRunFeatures({ model, sequences, hyper, checkpointEvery: 2, project: (g) => projection.project(g) });
    const plain = trainLora({ model, sequences, hyper });
    expect(hashAdapter(withFeatures.adapter)).toBe(hashAdapter(plain.adapter));
    const adam = await computeInRunFeatures({ model, sequences, hyper, checkpointEvery: 2, preconditioner: "adam", project: (g) => projection.project(g) });
    expect(hashAdapter(adam.adapter)).toBe(hashAdapter(plain.adapter));
    expect(withFeatures.checkpoints.map((c) => c.step)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it("scores data from the holdout's distribution above irrelevant data", async () => {
    for (const preconditioner of ["none", "adam"] as const) {
      const r = await runner({ preconditioner })([ids(relevant.slice(0, 4)), ids(irrelevant)], 1);
      expect(r.values[0].value).toBeGreaterThan(0);
      expect(r.values[0].value).toBeGreaterThan(r.values[1].value);
    }
  });

  it("matches the holdout loss drop of an SGD step to first order", async () => {
    // One checkpoint, one step, plain SGD-sized: Σ values ≈ L_H(θ0) − L_H(θ1) under θ1 = θ0 − lr·g_batch.
    const probe = createLoraGradientProbe({ model, hyper: HYPER });
    const seqs = relevant.slice(0, 2);
    const hyper = { ...HYPER, seed: 5, steps: 1, epochs: undefined, batchSize: 2 };
    const dim = 4096;
    const projection = createGradientProjection({ seed: "exact", dim });
    const f = await computeInRunFeatures({ model, sequences: seqs, hyper, checkpointEvery: 1, project: (g) => projection.project(g) });
    const plans = planInRunCheckpoints({ sequences: seqs, hyper, checkpointEvery: 1 });
    const v = computeInRunValues({ plans, checkpoints: f.checkpoints, paramNames: f.paramNames, playerOf: [0, 1], players: 2, holdout, probe, projection });
    const theta0 = f.checkpoints[0].values;
    const gBatch = probe.gradientAt(theta0, seqs).grads.map((g) => g.slice());
    const loss = (vals: Float64Array[]) => probe.gradientAt(vals, holdout).nll / probe.gradientAt(vals, holdout).tokens;
    const eta = 1e-3;
    const drop = loss(theta0) - loss(theta0.map((t, i) => t.map((x, j) => x - eta * gBatch[i][j])));
    const predicted = ((v.values[0].value + v.values[1].value) / hyper.learningRate) * eta;
    expect(drop).not.toBe(0);
    expect(Math.abs(predicted - drop)).toBeLessThan(0.25 * Math.abs(drop));
  });

  it("gives a contribution split across k wallets the same total (no gain from splitting)", async () => {
    const whole = await runner()([ids(relevant.slice(0, 4)), ids(irrelevant.slice(0, 3)), ids(relevant.slice(4))], 2);
    for (const k of [2, 4]) {
      // Contiguous split keeps the on-chain order of examples, so the training run is the same one.
      const contiguous = Array.from({ length: k }, (_, j) => ids(relevant.slice(0, 4)).slice((j * 4) / k, ((j + 1) * 4) / k));
      const split = await runner()([...contiguous, ids(irrelevant.slice(0, 3)), ids(relevant.slice(4))], 2);
      const sum = split.values.slice(0, k).reduce((a, v) => a + v.value, 0);
      const gain = sum / whole.values[0].value - 1;
      expect(Math.abs(gain)).toBeLessThan(1e-9);
      expect(split.values[k].value).toBe(whole.values[1].value);
      expect(contiguous.flat()).toEqual(ids(relevant.slice(0, 4)));
    }
  });

  it("refuses checkpoints whose parameters do not match their hash", async () => {
    const sequences = relevant.slice(0, 4);
    const hyper = { ...HYPER, seed: 1 };
    const f = await localInRunFeatures(model)({ sequences, exampleHashes: ids(sequences), hyper, checkpointEvery: 2, projection: { seed: "t", dim: 32 }, preconditioner: "none" }, {});
    const plans = planInRunCheckpoints({ sequences, hyper, checkpointEvery: 2 });
    f.checkpoints[1].values[0][0] += 1e-12;
    const probe = createLoraGradientProbe({ model, hyper: HYPER });
    expect(() =>
      computeInRunValues({ plans, checkpoints: f.checkpoints, paramNames: f.paramNames, playerOf: [0, 0, 1, 1], players: 2, holdout, probe, projection: createGradientProjection({ seed: "t", dim: 32 }) }),
    ).toThrow(/stateHash/);
  });
});

describe("attribution method by size", () => {
  it("defaults to exact Shapley up to 6 contributions and in-run above", () => {
    expect(resolveAttributionMethod(DEFAULT_ATTRIBUTION_METHOD, 1).kind).toBe("exact-shapley");
    expect(resolveAttributionMethod(DEFAULT_ATTRIBUTION_METHOD, 6).kind).toBe("exact-shapley");
    expect(resolveAttributionMethod(DEFAULT_ATTRIBUTION_METHOD, 7)).toEqual({ kind: "in-run", ...DEFAULT_IN_RUN_SETTINGS });
    expect(resolveAttributionMethod({ kind: "msr-banzhaf", samples: 8, seed: 1 }, 100).kind).toBe("msr-banzhaf");
  });

  it("is the default of the eval CLI and the coordinator service, and both accept in-run with its settings", () => {
    expect(parseEstimator({}, "usage")).toEqual(DEFAULT_ATTRIBUTION_METHOD);
    expect(DEFAULT_EVAL_SETTINGS.method).toEqual(DEFAULT_ATTRIBUTION_METHOD);
    expect(parseEstimator({ estimator: "in-run", checkpoints: "8", "projection-dim": "512", calibration: "3" }, "usage")).toMatchObject({ kind: "in-run", checkpoints: 8, projectionDim: 512, calibration: { samples: 3 } });
    expect(parseEvalSettings({ method: { kind: "in-run", ...SETTINGS } }, "eval.json").method).toEqual({ kind: "in-run", ...SETTINGS });
    expect(() => parseEvalSettings({ method: { kind: "in-run", checkpoints: 0, projectionDim: 8, projectionSeed: 1, calibration: { samples: 1, seed: 1 } } }, "eval.json")).toThrow(/checkpoints/);
  });

  // Utility on the trainer itself (no llama.cpp): holdout NLL per token of base vs trained adapter.
  const scoreOn = (adapter?: Parameters<typeof computeLogProbs>[0]["adapter"]) => {
    const r = computeLogProbs({ model, sequences: holdout, ...(adapter ? { adapter } : {}) });
    return { nll: r.reduce((a, s) => a + s.nll, 0), tokens: r.reduce((a, s) => a + s.tokens, 0) };
  };
  const contributions = [...relevant, ...irrelevant].slice(0, 8).map((s, i) => ({ id: `c${i}`, exampleHashes: [s.id] }));
  const common = {
    trainingSeeds: [1],
    scoreBase: async () => scoreOn(),
    scoreTrained: async (hashes: readonly string[], seed: string | number) => scoreOn(trainLora({ model, sequences: hashes.map((h) => examples.get(h)!), hyper: { ...HYPER, seed } }).adapter),
    utilityInputs: { test: "in-run" },
  };

  it("runs in-run above 6 contributions, with a leave-one-out calibration in the result", async () => {
    const r = await attributeContributions({ ...common, contributions, method: { kind: "auto", exactUpTo: 6, inRun: SETTINGS }, inRun });
    expect(r.estimate.method).toBe("in-run");
    expect(r.scoreVector.method).toBe("in-run");
    expect(r.scoreVector.entries).toHaveLength(8);
    expect(r.inRun).toHaveLength(1);
    expect(r.calibration?.players).toHaveLength(4);
    expect(r.calibration?.evaluations).toBe(5);
    expect(r.trainings.run).toBe(5);
    expect(r.calibration?.spearman).toBe(spearmanCorrelation(r.calibration!.leaveOneOut, r.calibration!.inRun));
    expect(r.scoreVector.entries.every((e) => e.stdError > 0)).toBe(true);
  });

  it("runs exact Shapley at 6 contributions and needs no in-run runner there", async () => {
    const r = await attributeContributions({ ...common, contributions: contributions.slice(0, 3), method: DEFAULT_ATTRIBUTION_METHOD });
    expect(r.estimate.method).toBe("exact-shapley");
    expect(r.calibration).toBeUndefined();
  });

  it("refuses in-run without a runner, saying what to pass", async () => {
    await expect(attributeContributions({ ...common, contributions, method: { kind: "in-run", ...SETTINGS } })).rejects.toThrow(AttributionError);
  });
});

describe("spearmanCorrelation", () => {
  it("is 1 for the same order, −1 for the reverse, and handles ties", () => {
    expect(spearmanCorrelation([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 12);
    expect(spearmanCorrelation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearmanCorrelation([1, 1, 2], [1, 2, 3])).toBeCloseTo(0.8660254037844387, 12);
    expect(spearmanCorrelation([1, 1], [1, 2])).toBeNull();
  });
});
