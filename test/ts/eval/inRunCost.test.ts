import { describe, expect, it } from "vitest";
import { attributeContributions } from "../../../coordinator/src/eval/attribution/attributeContributions.js";
import { computeInRunValues } from "../../../coordinator/src/eval/attribution/computeInRunValues.js";
import { countInRunTrainings } from "../../../coordinator/src/eval/attribution/countInRunTrainings.js";
import { createInRunRunner } from "../../../coordinator/src/eval/attribution/createInRunRunner.js";
import { dedupeContributions } from "../../../coordinator/src/eval/attribution/dedupeContributions.js";
import { AttributionError } from "../../../coordinator/src/eval/attribution/errors.js";
import { DEFAULT_IN_RUN_SETTINGS, type InRunSettings } from "../../../coordinator/src/eval/attribution/inRunTypes.js";
import { planInRunBudget, plannedRunTokens } from "../../../coordinator/src/eval/attribution/planInRunBudget.js";
import { createGradientProjection } from "../../../coordinator/src/eval/attribution/projectGradient.js";
import { exampleHash } from "../../../coordinator/src/eval/dataset/exampleHash.js";
import { loadDatasetFile } from "../../../coordinator/src/eval/demo/loadDatasetFile.js";
import { computeInRunFeatures } from "../../../coordinator/src/eval/train/computeInRunFeatures.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { loraAdapterFromState } from "../../../coordinator/src/eval/train/loraAdapterFromState.js";
import { trainLora } from "../../../coordinator/src/eval/train/trainLora.js";
import { servedExampleHashes } from "../../../coordinator/src/pipeline/servedExampleHashes.js";
import { trainServedAdapter } from "../../../coordinator/src/pipeline/trainServedAdapter.js";
import { planInRunJob } from "../../../coordinator/src/compute/inRun/planInRunJob.js";
import { createLoraGradientProbe } from "../../../coordinator/src/eval/train/createLoraGradientProbe.js";
import { planInRunCheckpoints } from "../../../coordinator/src/eval/train/planInRunCheckpoints.js";
import { variantExample } from "../../../scripts/bench/variantExample.js";
import { IN_RUN_TEST_CONFIG, IN_RUN_TEST_HYPER, patternSequences, randomModel, randomSequences, tagSequences } from "./trainFixtures.js";

const config = IN_RUN_TEST_CONFIG;
const model = randomModel("in-run-cost", config);
const HYPER = IN_RUN_TEST_HYPER;
const tag = tagSequences;
const holdout = tag("hold", patternSequences("holdout", 6, 48, 16));
const train = tag("train", [...patternSequences("holdout", 6, 48, 16), ...randomSequences("other", 30, 48, 12, 16)]);
const examples = new Map(train.map((s) => [s.id, s]));
const SETTINGS: InRunSettings = { checkpoints: 4, projectionDim: 128, projectionSeed: "cost", preconditioner: "adam", calibration: { samples: 0, seed: "cost" } };

describe("in-run compute bound (planInRunBudget)", () => {
  it("keeps features + holdout gradients within maxExtraWork runs at every size, fewer checkpoints first, then a holdout sample", () => {
    for (const n of [1, 2, 4, 8, 16, 36]) {
      const sequences = train.slice(0, n);
      for (const maxExtraWork of [0.5, 1, 2]) {
        const b = planInRunBudget({ sequences, hyper: { ...HYPER, seed: 1 }, holdout, checkpoints: 4, maxExtraWork, sampleSeed: "s" });
        expect(b.runTokens).toBe(plannedRunTokens({ ...HYPER, seed: 1 }, sequences));
        expect(b.plans).toEqual(planInRunCheckpoints({ sequences, hyper: { ...HYPER, seed: 1 }, checkpointEvery: b.checkpointEvery }));
        const holdoutPer = b.holdout.reduce((a, i) => a + holdout[i].tokens.length, 0);
        expect(b.holdoutTokens).toBe(holdoutPer * b.plans.length);
        if (b.withinBudget) expect(b.featureTokens + b.holdoutTokens).toBeLessThanOrEqual(maxExtraWork * b.runTokens);
        else expect(b.holdout).toHaveLength(2); // only when not even two holdout examples fit beside the features
        // A sample only once a single checkpoint with the whole holdout is over budget.
        if (b.holdout.length < holdout.length) {
          expect(b.plans).toHaveLength(1);
          expect(b.featureTokens + holdout.reduce((a, s) => a + s.tokens.length, 0)).toBeGreaterThan(maxExtraWork * b.runTokens);
        }
      }
    }
  });

  it("takes the most checkpoints that fit, and all of them with no bound", () => {
    const sequences = train;
    const hyper = { ...HYPER, seed: 1 };
    const free = planInRunBudget({ sequences, hyper, holdout, checkpoints: 4, sampleSeed: "s" });
    expect(free.plans).toHaveLength(4);
    expect(free.holdout).toEqual(holdout.map((_, i) => i));
    const b = planInRunBudget({ sequences, hyper, holdout, checkpoints: 4, maxExtraWork: 1, sampleSeed: "s" });
    const more = planInRunBudget({ sequences, hyper, holdout, checkpoints: b.plans.length + 1, sampleSeed: "s" });
    expect(more.featureTokens + more.holdoutTokens).toBeGreaterThan(b.runTokens);
    expect(free.featureTokens + free.holdoutTokens).toBeGreaterThan(free.runTokens); // the bound binds here
  });

  it("draws the holdout sample from its seed, the same on every call", () => {
    const sequences = train.slice(0, 2);
    const hyper = { ...HYPER, seed: 1 };
    const a = planInRunBudget({ sequences, hyper, holdout, checkpoints: 4, maxExtraWork: 1, sampleSeed: "s" });
    expect(a.holdout.length).toBeLessThan(holdout.length);
    expect(planInRunBudget({ sequences, hyper, holdout, checkpoints: 4, maxExtraWork: 1, sampleSeed: "s" }).holdout).toEqual(a.holdout);
    const others = ["t", "u", "v", "w"].map((seed) => planInRunBudget({ sequences, hyper, holdout, checkpoints: 4, maxExtraWork: 1, sampleSeed: seed }).holdout.join());
    expect(others.some((h) => h !== a.holdout.join())).toBe(true);
  });

  it("refuses a non-positive bound or no checkpoint, saying what to use", () => {
    expect(() => planInRunBudget({ sequences: train, hyper: { ...HYPER, seed: 1 }, holdout, checkpoints: 4, maxExtraWork: 0, sampleSeed: "s" })).toThrow(/maxExtraWork/);
    expect(() => planInRunBudget({ sequences: train, hyper: { ...HYPER, seed: 1 }, holdout, checkpoints: 0, sampleSeed: "s" })).toThrow(AttributionError);
  });
});

describe("counting in-run trainings (countInRunTrainings)", () => {
  it("counts the run, the features, the holdout gradients and the served retraining, in runs of every contribution", () => {
    const c = countInRunTrainings({ passes: [{ trainingTokens: 1000, featureTokens: 500, holdoutTokens: 400 }], servedRetrainingTokens: 800 });
    expect(c).toEqual({ trainings: 2.7, run: 1, features: 0.5, holdout: 0.4, servedRetraining: 0.8 });
  });

  it("counts every seed's pass (a second seed is a second run)", () => {
    const pass = { trainingTokens: 1000, featureTokens: 500, holdoutTokens: 500 };
    expect(countInRunTrainings({ passes: [pass, pass], servedRetrainingTokens: 1000 }).trainings).toBe(5);
  });

  it("counts no served retraining when the pass's own run is served", () => {
    const c = countInRunTrainings({ passes: [{ trainingTokens: 1000, featureTokens: 1000, holdoutTokens: 900 }], servedRetrainingTokens: 0 });
    expect(c).toEqual({ trainings: 2.9, run: 1, features: 1, holdout: 0.9, servedRetraining: 0 });
  });

  it("refuses to count nothing", () => {
    expect(() => countInRunTrainings({ passes: [], servedRetrainingTokens: 0 })).toThrow(AttributionError);
  });
});

describe("in-run attribution under the default bound", () => {
  const inRun = createInRunRunner({ model, examples, holdout, hyper: HYPER });
  const scoreBase = async () => ({ nll: 1, tokens: 1 });
  const scoreTrained = async () => ({ nll: 1, tokens: 1 });

  it("costs at most 3 trainings at every size from two examples (2 epochs), the served adapter being the pass's own run", async () => {
    for (const n of [2, 3, 8, 36]) {
      const players = train.slice(0, n).map((s) => [s.id]);
      const r = await inRun(players, 1, { ...SETTINGS, maxExtraWork: DEFAULT_IN_RUN_SETTINGS.maxExtraWork!, checkpointAt: "end" });
      // servedAdapter "in-run-pass" (the default): nothing is retrained after the pass.
      const c = countInRunTrainings({ passes: [r.work], servedRetrainingTokens: 0 });
      expect(c.trainings, `n = ${n}`).toBeLessThanOrEqual(3);
      expect(c.servedRetraining).toBe(0);
      expect(r.work.withinBudget).toBe(true);
      expect(r.work.holdoutExamples.of).toBe(holdout.length);
    }
  });

  it("spends the room the retraining left: at 36 examples the default bound takes more checkpoints than a bound of 1", async () => {
    const players = train.map((s) => [s.id]);
    const one = await inRun(players, 1, { ...SETTINGS, maxExtraWork: 1, checkpointAt: "end" });
    const two = await inRun(players, 1, { ...SETTINGS, maxExtraWork: DEFAULT_IN_RUN_SETTINGS.maxExtraWork!, checkpointAt: "end" });
    expect(two.checkpoints.length).toBeGreaterThan(one.checkpoints.length);
    expect(countInRunTrainings({ passes: [two.work], servedRetrainingTokens: 0 }).trainings).toBeLessThanOrEqual(3);
  });

  it("says when the bound cannot hold: a run that trains each example once has features worth a whole run", async () => {
    const players = train.slice(0, 8).map((s) => [s.id]);
    const { epochs: _epochs, ...perStep } = HYPER;
    const single = createInRunRunner({ model, examples, holdout, hyper: { ...perStep, steps: 4 } });
    const r = await single(players, 1, { ...SETTINGS, maxExtraWork: 1 });
    expect(r.work.featureTokens).toBe(r.work.trainingTokens);
    expect(r.work.withinBudget).toBe(false);
    expect(r.work.holdoutExamples.used).toBe(2);
    expect(r.checkpoints).toHaveLength(1);
    // With 2 epochs the same Forge fits.
    expect((await inRun(players, 1, { ...SETTINGS, maxExtraWork: 1 })).work.withinBudget).toBe(true);
  });

  it("replays bit for bit on a fresh runner, holdout sample included", async () => {
    const players = train.slice(0, 3).map((s) => [s.id]);
    const settings = { ...SETTINGS, maxExtraWork: 1 };
    const a = await inRun(players, 5, settings);
    expect(a.work.holdoutExamples.used).toBeLessThan(holdout.length); // the sampled path
    const b = await createInRunRunner({ model, examples, holdout, hyper: HYPER })(players, 5, settings);
    a.values.forEach((v, i) => {
      expect(Object.is(v.value, b.values[i].value)).toBe(true);
      expect(Object.is(v.stdError, b.values[i].stdError)).toBe(true);
    });
    expect(b.checkpoints).toEqual(a.checkpoints);
    expect(b.work).toEqual(a.work);
  });

  it("runs one pass on the first training seed by default, every seed when the record predates the setting", async () => {
    const contributions = train.slice(0, 8).map((s, i) => ({ id: `c${i}`, exampleHashes: [s.id] }));
    const common = { contributions, trainingSeeds: [1, 2], scoreBase, scoreTrained, utilityInputs: { t: "cost" }, inRun };
    const one = await attributeContributions({ ...common, method: { kind: "in-run", ...SETTINGS, seeds: 1 } });
    expect(one.inRun?.map((p) => p.seed)).toEqual([1]);
    expect(one.scoreVector.trainingSeeds).toEqual([1]);
    const all = await attributeContributions({ ...common, method: { kind: "in-run", ...SETTINGS } });
    expect(all.inRun?.map((p) => p.seed)).toEqual([1, 2]);
    expect(DEFAULT_IN_RUN_SETTINGS.seeds).toBe(1);
    expect(DEFAULT_IN_RUN_SETTINGS.maxExtraWork).toBe(2);
  });
});

describe("checkpoints at their intervals' ends (checkpointAt)", () => {
  const sequences = train.slice(0, 8);
  const hyper = { ...HYPER, seed: 3 };
  const projection = createGradientProjection({ seed: "p", dim: 64 });
  const project = (g: readonly Float64Array[]) => projection.project(g);

  it("takes each checkpoint after its interval's last step, ends on the run's own adapter, and leaves the adapter's bits alone", async () => {
    const start = await computeInRunFeatures({ model, sequences, hyper, checkpointEvery: 2, project, preconditioner: "adam" });
    const end = await computeInRunFeatures({ model, sequences, hyper, checkpointEvery: 2, project, preconditioner: "adam", checkpointAt: "end" });
    expect(end.checkpoints.length).toBeGreaterThan(1);
    expect(end.checkpoints.map((c) => [c.step, c.endStep, c.examples])).toEqual(start.checkpoints.map((c) => [c.step, c.endStep, c.examples]));
    // θ after interval c is θ at the start of interval c + 1, bit for bit.
    for (let c = 0; c + 1 < end.checkpoints.length; c++) expect(end.checkpoints[c].stateHash).toBe(start.checkpoints[c + 1].stateHash);
    expect(end.checkpoints[0].stateHash).not.toBe(start.checkpoints[0].stateHash);
    // The features are taken there, so they differ from the start's.
    expect(Array.from(end.checkpoints[0].features[0])).not.toEqual(Array.from(start.checkpoints[0].features[0]));
    const plain = trainLora({ model, sequences, hyper });
    expect(hashAdapter(end.adapter)).toBe(hashAdapter(plain.adapter));
    expect(hashAdapter(start.adapter)).toBe(hashAdapter(plain.adapter));
    // The last checkpoint at the ends is the run's adapter, bit for bit (loraAdapterFromState).
    const last = end.checkpoints.at(-1)!;
    expect(hashAdapter(loraAdapterFromState({ paramNames: end.paramNames, values: last.values, rank: hyper.rank, alpha: hyper.alpha }))).toBe(hashAdapter(plain.adapter));
    expect(hashAdapter(loraAdapterFromState({ paramNames: start.paramNames, values: start.checkpoints.at(-1)!.values, rank: hyper.rank, alpha: hyper.alpha }))).not.toBe(hashAdapter(plain.adapter));
    expect(() => loraAdapterFromState({ paramNames: end.paramNames.slice(1), values: last.values.slice(1), rank: hyper.rank, alpha: hyper.alpha })).toThrow(/A and a B|A and B/);
  });

  it("keeps the ids of in-run jobs planned without it, and gives a job at the ends another id", () => {
    const job = { forge: "0x0000000000000000000000000000000000000001" as const, baseModelRoot: `0x${"ab".repeat(32)}` as const, exampleHashes: sequences.map((s) => s.id), hyper, sequences, checkpointEvery: 2, projection: { seed: "p", dim: 64 }, preconditioner: "adam" as const };
    const before = planInRunJob(job);
    expect(planInRunJob({ ...job, checkpointAt: "start" })).toEqual(before);
    expect("checkpointAt" in before).toBe(false);
    const atEnd = planInRunJob({ ...job, checkpointAt: "end" });
    expect(atEnd.jobId).not.toBe(before.jobId);
    expect(atEnd.checkpointAt).toBe("end");
  });
});

describe("serving the in-run pass's own adapter (servedAdapter)", () => {
  const inRun = createInRunRunner({ model, examples, holdout, hyper: HYPER });
  const scoreBase = async () => ({ nll: 1, tokens: 1 });
  const scoreTrained = async () => ({ nll: 1, tokens: 1 });
  const contributions = [train[0], train[1], ...train.slice(20, 26)].map((s, i) => ({ id: `c${i}`, exampleHashes: [s.id, ...(i === 2 ? [train[0].id] : [])] }));
  const common = { contributions, trainingSeeds: [4, 5], scoreBase, scoreTrained, utilityInputs: { t: "served" }, inRun };

  it("serves the pass's run by default: every de-duplicated contribution in player order on the pass's seed, whatever its value, trained once", async () => {
    const r = await attributeContributions({ ...common, method: { kind: "in-run", ...SETTINGS, seeds: 1, servedAdapter: DEFAULT_IN_RUN_SETTINGS.servedAdapter! } });
    expect(DEFAULT_IN_RUN_SETTINGS.servedAdapter).toBe("in-run-pass");
    const kept = r.deduped.contributions.flatMap((c) => c.keptHashes);
    expect(kept).not.toContain(undefined);
    expect(r.servedAdapter).toEqual({ exampleHashes: kept, seed: 4 });
    expect(kept.filter((h) => h === train[0].id)).toHaveLength(1); // the copy in c2 is not trained twice
    expect(r.scoreVector.entries.some((e) => e.value <= 0)).toBe(true); // the pass trains on those too, so they are served
    expect(servedExampleHashes(r)).toEqual(kept);
    const trained: { hashes: readonly string[]; seed: string | number }[] = [];
    await trainServedAdapter({ attribution: r, seed: 99, scorer: { score: async () => ({ nll: 1, tokens: 1 }) }, train: async (hashes, seed) => (trained.push({ hashes, seed }), { root: "0x01", file: "f" }) });
    expect(trained).toEqual([{ hashes: kept, seed: 4 }]);
  });

  it("is the pass's run bit for bit: a plain training of the served examples on its seed gives the pass's adapter", async () => {
    const r = await attributeContributions({ ...common, method: { kind: "in-run", ...SETTINGS, seeds: 1, servedAdapter: "in-run-pass", checkpointAt: "end" } });
    const sequences = r.servedAdapter!.exampleHashes.map((h) => ({ ...examples.get(h)!, id: h }));
    const hyper = { ...HYPER, seed: r.servedAdapter!.seed };
    const pass = await computeInRunFeatures({ model, sequences, hyper, checkpointEvery: r.inRun![0].checkpointEvery, project: (g) => createGradientProjection({ seed: SETTINGS.projectionSeed, dim: SETTINGS.projectionDim }).project(g), preconditioner: "adam", checkpointAt: "end" });
    expect(pass.checkpoints.map((c) => c.stateHash)).toEqual(r.inRun![0].checkpoints.map((c) => c.stateHash));
    expect(hashAdapter(trainLora({ model, sequences, hyper }).adapter)).toBe(hashAdapter(pass.adapter));
    // …and the pass hands that adapter over itself, so serving it trains nothing.
    expect(hashAdapter(r.servedAdapter!.adapter!)).toBe(hashAdapter(pass.adapter));
    // At the starts the last checkpoint is not the run's end: no adapter handed over (the pool's training gives the bytes).
    const atStart = await attributeContributions({ ...common, method: { kind: "in-run", ...SETTINGS, seeds: 1, servedAdapter: "in-run-pass", checkpointAt: "start" } });
    expect(atStart.servedAdapter?.adapter).toBeUndefined();
    expect(atStart.servedAdapter?.exampleHashes).toEqual(r.servedAdapter!.exampleHashes);
  });

  it("retrains on the contributions of positive value when the record predates the setting or asks for it", async () => {
    for (const servedAdapter of [undefined, "positive-value" as const]) {
      const r = await attributeContributions({ ...common, method: { kind: "in-run", ...SETTINGS, seeds: 1, ...(servedAdapter ? { servedAdapter } : {}) } });
      expect(r.servedAdapter).toBeUndefined();
      const positive = new Set(r.scoreVector.entries.filter((e) => e.value > 0).map((e) => e.id));
      expect(servedExampleHashes(r)).toEqual(r.deduped.contributions.filter((c) => positive.has(c.id)).flatMap((c) => c.keptHashes));
    }
  });
});

describe("in-run values on a holdout sample (computeInRunValues)", () => {
  const sequences = train.slice(0, 8);
  const hyper = { ...HYPER, seed: 2 };
  const projection = createGradientProjection({ seed: "p", dim: 128 });
  const probe = createLoraGradientProbe({ model, hyper });
  const plans = planInRunCheckpoints({ sequences, hyper, checkpointEvery: 100 });
  const playerOf = sequences.map((_, i) => i % 3);

  it("weighs the sampled examples' gradients by their tokens and widens the interval by the sampling variance", async () => {
    const run = await computeInRunFeatures({ model, sequences, hyper, checkpointEvery: 100, project: (g) => projection.project(g) });
    const base = { plans, checkpoints: run.checkpoints, paramNames: run.paramNames, playerOf, players: 3, probe, projection };
    const whole = computeInRunValues({ ...base, holdout });
    // The whole holdout given as a "sample" of itself: the same values to rounding, no sampling variance.
    const self = computeInRunValues({ ...base, holdout, holdoutPopulation: holdout.length });
    expect(self.values).toEqual(whole.values);
    const sample = holdout.slice(0, 3);
    const sampled = computeInRunValues({ ...base, holdout: sample, holdoutPopulation: holdout.length });
    const onSample = computeInRunValues({ ...base, holdout: sample });
    sampled.values.forEach((v, i) => {
      expect(v.value).toBeCloseTo(onSample.values[i].value, 12);
      expect(v.stdError).toBeGreaterThan(onSample.values[i].stdError);
    });
    expect(() => computeInRunValues({ ...base, holdout, holdoutPopulation: 2 })).toThrow(/holdoutPopulation/);
  });
});

describe("the benchmark's variants of demo examples (scripts/bench/variantExample.ts)", () => {
  it("are distinct examples to de-duplication, so a Forge of five rounds of demo examples keeps every one", async () => {
    const pool = [...(await loadDatasetFile("data/demo/contrib-alice.jsonl")), ...(await loadDatasetFile("data/demo/contrib-control.jsonl"))];
    const variants = [0, 1, 2, 3, 4].flatMap((round) => pool.map((e) => variantExample(e, round)));
    const d = dedupeContributions(variants.map((e, i) => ({ id: `c${i}`, exampleHashes: [exampleHash(e)], exampleTexts: [e] })));
    expect(d.players).toHaveLength(variants.length);
    // A real near copy of a variant is still caught.
    const v = variants[pool.length + 3];
    const copy = { ...v, prompt: `${v.prompt} ` };
    const withCopy = dedupeContributions([...variants, copy].map((e, i) => ({ id: `c${i}`, exampleHashes: [exampleHash(e)], exampleTexts: [e] })));
    expect(withCopy.players).toHaveLength(variants.length);
  });
});
