import { describe, expect, it } from "vitest";
import { createInRunRunner } from "../../../coordinator/src/eval/attribution/createInRunRunner.js";
import { DEFAULT_IN_RUN_SETTINGS, type InRunSettings } from "../../../coordinator/src/eval/attribution/inRunTypes.js";
import { computeInRunFeatures } from "../../../coordinator/src/eval/train/computeInRunFeatures.js";
import { createLoraGradientProbe } from "../../../coordinator/src/eval/train/createLoraGradientProbe.js";
import { learningRateAt } from "../../../coordinator/src/eval/train/learningRateAt.js";
import { planInRunCheckpoints } from "../../../coordinator/src/eval/train/planInRunCheckpoints.js";
import type { LoraHyperParameters } from "../../../coordinator/src/eval/train/types.js";
import { IN_RUN_TEST_CONFIG, IN_RUN_TEST_HYPER, patternSequences, randomModel, randomSequences, tagSequences } from "./trainFixtures.js";

const config = IN_RUN_TEST_CONFIG;
const model = randomModel("order-luck", config);
/** A warm-up and a linear decay, so the steps of one run differ in learning rate. */
const HYPER: Omit<LoraHyperParameters, "seed"> = {
  ...IN_RUN_TEST_HYPER,
  warmupSteps: 2,
  lrSchedule: "linear",
};
const tag = tagSequences;
const holdout = tag("hold", patternSequences("holdout", 4, 48, 16));
const others = tag("other", [...patternSequences("holdout", 3, 48, 16), ...randomSequences("noise", 3, 48, 12, 16)]);
// Two players with the same example (the in-run runner takes sequences as given; de-duplication is upstream).
const twin = patternSequences("twin", 1, 48, 16)[0];
const twins = [{ ...twin, id: "twin-a" }, { ...twin, id: "twin-b" }];
const examples = new Map([...others, ...twins].map((s) => [s.id, s]));
const players = [["twin-a"], ...others.map((s) => [s.id]), ["twin-b"]];
const SETTINGS: InRunSettings = { ...DEFAULT_IN_RUN_SETTINGS, projectionDim: 128, projectionSeed: "order-luck", calibration: { samples: 0, seed: 1 } };
const inRun = createInRunRunner({ model, examples, holdout, hyper: HYPER });

describe("in-run values do not depend on where the shuffle put an example", () => {
  it("gives two players with the same example the same value, bit for bit, whichever steps they drew", async () => {
    for (const seed of [1, 2, 3]) {
      const r = await inRun(players, seed, SETTINGS);
      const [a, b] = [r.values[0], r.values.at(-1)!];
      expect(Object.is(a.value, b.value)).toBe(true);
      expect(a.value).not.toBe(0);
    }
  });

  it("(the old batch weights: the same example earns another value at another step)", async () => {
    const r = await inRun(players, 1, { ...SETTINGS, exampleWeights: "batch" });
    expect(r.values[0].value).not.toBe(r.values.at(-1)!.value);
  });

  it("weighs every example the run trains at every checkpoint with 1/N of the interval's learning-rate mass", () => {
    const sequences = [...others, ...twins];
    const hyper = { ...HYPER, seed: 4 };
    const plans = planInRunCheckpoints({ sequences, hyper, checkpointEvery: 3, exampleWeights: "uniform" });
    const total = plans.at(-1)!.endStep;
    expect(plans.length).toBeGreaterThan(1);
    for (const plan of plans) {
      expect(plan.examples).toEqual(sequences.map((_, i) => i));
      let mass = 0;
      for (let t = plan.step; t < plan.endStep; t++) mass += learningRateAt(hyper, t, total);
      for (const w of plan.weights) expect(w).toBe(mass / sequences.length);
    }
    // A run shorter than an epoch (3 steps of 2 over 8 examples): the 6 examples it draws, at every checkpoint.
    const { epochs: _epochs, ...perStep } = hyper;
    const short = planInRunCheckpoints({ sequences, hyper: { ...perStep, steps: 3 }, checkpointEvery: 2, exampleWeights: "uniform" });
    const drawn = planInRunCheckpoints({ sequences, hyper: { ...perStep, steps: 3 }, checkpointEvery: 3 })[0].examples;
    expect(drawn).toHaveLength(6);
    for (const plan of short) expect(plan.examples).toEqual(drawn);
  });

  it("takes each example's own AdamW step, g / (|g| + ε), as its feature with the sign preconditioner", async () => {
    const sequences = [...others, ...twins];
    const hyper = { ...HYPER, seed: 5 };
    const flat = (g: readonly Float64Array[]) => Float64Array.from(g.flatMap((x) => [...x]));
    const out = await computeInRunFeatures({ model, sequences, hyper, checkpointEvery: 4, checkpointAt: "end", preconditioner: "sign", exampleWeights: "uniform", project: flat });
    const probe = createLoraGradientProbe({ model, hyper });
    for (const cp of out.checkpoints) {
      expect(cp.examples).toHaveLength(sequences.length);
      cp.examples.forEach((i, k) => {
        const g = flat(probe.gradientAt(cp.values, [sequences[i]]).grads);
        const want = g.map((x) => x / (Math.abs(x) + hyper.eps));
        expect(cp.features[k]).toEqual(want);
        expect(cp.features[k].some((x) => Math.abs(x) > 0.99)).toBe(true);
      });
    }
  });
});
