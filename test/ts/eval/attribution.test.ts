import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { attributeContributions } from "../../../coordinator/src/eval/attribution/attributeContributions.js";
import { createLoraHoldoutScorer } from "../../../coordinator/src/eval/attribution/createLoraHoldoutScorer.js";
import { createScoringEngine } from "../../../coordinator/src/eval/engine/createScoringEngine.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { fixtureTokenizer, tinyConfig } from "./fixtures/tinyModels.js";
import { buildScoreVector, toFixed18 } from "../../../coordinator/src/eval/attribution/buildScoreVector.js";
import { createHoldoutUtility, logPerplexity } from "../../../coordinator/src/eval/attribution/createHoldoutUtility.js";
import { createSeedAveragedUtility } from "../../../coordinator/src/eval/attribution/createSeedAveragedUtility.js";
import { createUtilityCache } from "../../../coordinator/src/eval/attribution/createUtilityCache.js";
import { dedupeContributions } from "../../../coordinator/src/eval/attribution/dedupeContributions.js";
import {
  ContributionIdError,
  EstimatorParameterError,
  InvalidCoalitionError,
  ScoreVectorError,
  UtilityCacheError,
  UtilityValueError,
} from "../../../coordinator/src/eval/attribution/errors.js";
import { exactBanzhaf } from "../../../coordinator/src/eval/attribution/exactBanzhaf.js";
import { exactShapley } from "../../../coordinator/src/eval/attribution/exactShapley.js";
import { hashInputs } from "../../../coordinator/src/eval/attribution/hashInputs.js";
import { leaveOneOut } from "../../../coordinator/src/eval/attribution/leaveOneOut.js";
import { monteCarloShapley } from "../../../coordinator/src/eval/attribution/monteCarloShapley.js";
import { msrBanzhaf } from "../../../coordinator/src/eval/attribution/msrBanzhaf.js";
import { scoreVectorToJson } from "../../../coordinator/src/eval/attribution/scoreVectorToJson.js";
import type { Estimate, Utility } from "../../../coordinator/src/eval/attribution/types.js";

/** A utility from a set function, counting how often it is called. */
function game(f: (s: Set<number>) => number) {
  const calls: number[][] = [];
  const utility: Utility = async (members) => {
    calls.push([...members]);
    return f(new Set(members));
  };
  return { utility, calls };
}

const additive = (w: number[]) => (s: Set<number>) => w.reduce((a, wi, i) => a + (s.has(i) ? wi : 0), 0);
const unanimity = (t: number[]) => (s: Set<number>) => (t.every((i) => s.has(i)) ? 1 : 0);
const majority = (n: number) => (s: Set<number>) => (s.size > n / 2 ? 1 : 0);
/** Left-glove holders `left`, right-glove holders `right`: value = pairs that can be made. */
const glove = (left: number[], right: number[]) => (s: Set<number>) =>
  Math.min(left.filter((i) => s.has(i)).length, right.filter((i) => s.has(i)).length);
/** A game with every kind of interaction, for comparing estimators with exact values. */
const mixed = (s: Set<number>) =>
  additive([0.3, -0.1, 0.2, 0, 0.05, 0.4, -0.2, 0.1])(s) + 0.5 * unanimity([0, 1])(s) + 0.8 * majority(8)(s) - 0.3 * unanimity([5, 6, 7])(s);

const values = (e: Estimate) => e.values.map((v) => v.value);

function binomial(n: number, k: number) {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Shapley by brute force over all n! orders: the plain reference. */
function bruteForceShapley(n: number, f: (s: Set<number>) => number): number[] {
  const phi = new Array(n).fill(0);
  let count = 0;
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) {
      count++;
      const s = new Set<number>();
      let prev = f(s);
      for (const p of prefix) {
        s.add(p);
        const next = f(s);
        phi[p] += next - prev;
        prev = next;
      }
      return;
    }
    rest.forEach((r, k) => permute([...prefix, r], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  permute([], Array.from({ length: n }, (_, i) => i));
  return phi.map((x) => x / count);
}

describe("exact Shapley and Banzhaf on games with closed-form values", () => {
  it("gives each player its weight in an additive game (Shapley = Banzhaf = LOO = weights)", async () => {
    const w = [0.5, -0.25, 0, 1.5, 0.125];
    for (const method of [exactShapley, exactBanzhaf, leaveOneOut]) {
      const est = await method({ players: 5, utility: game(additive(w)).utility });
      values(est).forEach((v, i) => expect(v).toBeCloseTo(w[i], 12));
    }
  });

  it("splits a unanimity game on T as 1/|T| (Shapley) and 1/2^(|T|-1) (Banzhaf), 0 outside T", async () => {
    const t = [1, 3, 4];
    const sh = await exactShapley({ players: 6, utility: game(unanimity(t)).utility });
    const bz = await exactBanzhaf({ players: 6, utility: game(unanimity(t)).utility });
    for (let i = 0; i < 6; i++) {
      expect(sh.values[i].value).toBeCloseTo(t.includes(i) ? 1 / 3 : 0, 12);
      expect(bz.values[i].value).toBeCloseTo(t.includes(i) ? 1 / 4 : 0, 12);
    }
  });

  it("gives every player 1/n (Shapley) and C(n-1,(n-1)/2)/2^(n-1) (Banzhaf) in a symmetric majority game", async () => {
    const n = 7;
    const sh = await exactShapley({ players: n, utility: game(majority(n)).utility });
    const bz = await exactBanzhaf({ players: n, utility: game(majority(n)).utility });
    for (const v of values(sh)) expect(v).toBeCloseTo(1 / n, 12);
    for (const v of values(bz)) expect(v).toBeCloseTo(binomial(n - 1, 3) / 2 ** (n - 1), 12);
  });

  it("values a glove game with two left and one right glove at (1/6, 1/6, 2/3) Shapley and (1/4, 1/4, 3/4) Banzhaf", async () => {
    const f = glove([0, 1], [2]);
    expect(values(await exactShapley({ players: 3, utility: game(f).utility })).map((x) => +x.toFixed(12))).toEqual([
      +(1 / 6).toFixed(12), +(1 / 6).toFixed(12), +(2 / 3).toFixed(12),
    ]);
    expect(values(await exactBanzhaf({ players: 3, utility: game(f).utility }))).toEqual([0.25, 0.25, 0.75]);
  });

  it("matches a brute-force average over all n! orders on a random game, and sums to U(N) - U(∅)", async () => {
    const prng = createPrng("random-game");
    const table = Array.from({ length: 32 }, () => prng.next() * 2 - 1);
    const f = (s: Set<number>) => table[[...s].reduce((m, i) => m | (1 << i), 0)];
    const est = await exactShapley({ players: 5, utility: game(f).utility });
    const ref = bruteForceShapley(5, f);
    values(est).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
    expect(values(est).reduce((a, b) => a + b, 0)).toBeCloseTo(table[31] - table[0], 12);
  });

  it("evaluates each of the 2^n subsets exactly once, with progress", async () => {
    const g = game(mixed);
    const progress: number[] = [];
    const est = await exactShapley({ players: 8, utility: g.utility, onProgress: (done, total) => progress.push(done / total) });
    expect(g.calls).toHaveLength(256);
    expect(new Set(g.calls.map((c) => c.join(","))).size).toBe(256);
    expect(est.evaluations).toBe(256);
    expect(progress.at(-1)).toBe(1);
  });

  it("refuses more than 10 players for exact values and points to the sampling estimators", async () => {
    await expect(exactShapley({ players: 11, utility: game(mixed).utility })).rejects.toThrow(/monteCarloShapley or msrBanzhaf/);
  });

  it("propagates per-subset noise: n = 2 with σ on every subset gives every player a standard error of σ", async () => {
    for (const method of [exactShapley, exactBanzhaf]) {
      const est = await method({ players: 2, utility: game(additive([1, 2])).utility, utilityStdError: () => 0.1 });
      for (const v of est.values) expect(v.stdError).toBeCloseTo(0.1, 12);
    }
  });
});

describe("leaveOneOut", () => {
  it("computes U(N) - U(N∖{i}) with n + 1 evaluations, and gives both of two redundant players 0", async () => {
    // Either of players 0 and 1 alone is enough: LOO sees neither, unlike Shapley (1/2 each).
    const f = (s: Set<number>) => (s.has(0) || s.has(1) ? 1 : 0) + (s.has(2) ? 0.5 : 0);
    const g = game(f);
    const est = await leaveOneOut({ players: 3, utility: g.utility });
    expect(values(est)).toEqual([0, 0, 0.5]);
    expect(g.calls).toHaveLength(4);
    expect(values(await exactShapley({ players: 3, utility: game(f).utility }))).toEqual([0.5, 0.5, 0.5]);
  });

  it("reports √(σ(N)² + σ(N∖i)²) as the standard error when utilities are noisy", async () => {
    const est = await leaveOneOut({ players: 2, utility: game(additive([1, 1])).utility, utilityStdError: (m) => (m.length === 2 ? 0.3 : 0.4) });
    for (const v of est.values) expect(v.stdError).toBeCloseTo(0.5, 12);
  });
});

describe("monteCarloShapley", () => {
  it("lands within 4 standard errors of the exact values with a fixed seed", async () => {
    const exact = await exactShapley({ players: 8, utility: game(mixed).utility });
    const mc = await monteCarloShapley({ players: 8, utility: game(mixed).utility, permutations: 300, seed: "mc" });
    mc.values.forEach((v, i) => {
      expect(v.stdError).toBeGreaterThan(0);
      expect(Math.abs(v.value - exact.values[i].value)).toBeLessThan(4 * v.stdError);
    });
    expect(mc.samples).toBe(300);
    expect(mc.evaluations).toBeLessThanOrEqual(256);
  });

  it("has standard errors that mean something: about 95% of errors are within 2 of them over 30 seeds", async () => {
    const exact = values(await exactShapley({ players: 8, utility: game(mixed).utility }));
    let inside = 0;
    let total = 0;
    for (let s = 0; s < 30; s++) {
      const mc = await monteCarloShapley({ players: 8, utility: game(mixed).utility, permutations: 60, seed: s });
      mc.values.forEach((v, i) => {
        if (v.stdError === 0) return;
        total++;
        if (Math.abs(v.value - exact[i]) <= 2 * v.stdError) inside++;
      });
    }
    expect(inside / total).toBeGreaterThan(0.85);
    // Measured: 222 of 240 (92.5%). Too-large errors would put every estimate inside.
    expect(inside / total).toBeLessThan(0.99);
  });

  it("is exact with zero standard error on an additive game (every marginal is the weight)", async () => {
    const w = [0.1, 0.2, -0.3, 0.4];
    const mc = await monteCarloShapley({ players: 4, utility: game(additive(w)).utility, permutations: 5, seed: 1 });
    mc.values.forEach((v, i) => {
      expect(v.value).toBeCloseTo(w[i], 12);
      expect(v.stdError).toBeLessThan(1e-9);
    });
  });

  it("replays the same numbers for the same seed and different ones for another seed", async () => {
    const run = (seed: string) => monteCarloShapley({ players: 8, utility: game(mixed).utility, permutations: 20, seed });
    expect(await run("a")).toEqual(await run("a"));
    expect(values(await run("a"))).not.toEqual(values(await run("b")));
  });

  it("truncates once a prefix reaches U(N): fewer evaluations, same values when the game truly saturates", async () => {
    const saturating = (s: Set<number>) => Math.min(1, s.size / 2);
    const full = game(saturating);
    const cut = game(saturating);
    const a = await monteCarloShapley({ players: 6, utility: full.utility, permutations: 40, seed: "t" });
    const b = await monteCarloShapley({ players: 6, utility: cut.utility, permutations: 40, seed: "t", truncation: { tolerance: 0 } });
    expect(values(b)).toEqual(values(a));
    expect(cut.calls.length).toBeLessThan(full.calls.length);
    expect(Math.max(...cut.calls.map((c) => c.length).filter((l) => l < 6))).toBe(2);
  });

  it("rejects fewer than 2 permutations", async () => {
    await expect(monteCarloShapley({ players: 3, utility: game(mixed).utility, permutations: 1, seed: 0 })).rejects.toThrow(EstimatorParameterError);
  });
});

describe("msrBanzhaf", () => {
  it("lands within 4 standard errors of the exact Banzhaf values with a fixed seed", async () => {
    const exact = await exactBanzhaf({ players: 8, utility: game(mixed).utility });
    const msr = await msrBanzhaf({ players: 8, utility: game(mixed).utility, samples: 400, seed: "msr" });
    msr.values.forEach((v, i) => {
      expect(v.stdError).toBeGreaterThan(0);
      expect(Math.abs(v.value - exact.values[i].value)).toBeLessThan(4 * v.stdError);
    });
    expect(msr.evaluations).toBeLessThanOrEqual(256);
  });

  it("estimates 12 players' closed-form Banzhaf values (weights + 1/4 for a unanimity triple) within 4 standard errors", async () => {
    const w = Array.from({ length: 12 }, (_, i) => (i - 5) / 20);
    const t = [2, 7, 9];
    const f = (s: Set<number>) => additive(w)(s) + unanimity(t)(s);
    const msr = await msrBanzhaf({ players: 12, utility: game(f).utility, samples: 3000, seed: 12 });
    msr.values.forEach((v, i) => {
      const truth = w[i] + (t.includes(i) ? 1 / 4 : 0);
      expect(Math.abs(v.value - truth)).toBeLessThan(4 * v.stdError);
      expect(v.stdError).toBeLessThan(0.05);
    });
  });

  it("has standard errors that mean something: about 95% of errors are within 2 of them over 30 seeds", async () => {
    const exact = values(await exactBanzhaf({ players: 8, utility: game(mixed).utility }));
    let inside = 0;
    let total = 0;
    for (let s = 0; s < 30; s++) {
      const msr = await msrBanzhaf({ players: 8, utility: game(mixed).utility, samples: 100, seed: s });
      msr.values.forEach((v, i) => {
        total++;
        if (Math.abs(v.value - exact[i]) <= 2 * v.stdError) inside++;
      });
    }
    // Measured: 229 of 240 (95.4%).
    expect(inside / total).toBeGreaterThan(0.85);
    expect(inside / total).toBeLessThan(0.99);
  });

  it("evaluates each sampled subset once even when it is drawn again", async () => {
    const g = game(mixed);
    const msr = await msrBanzhaf({ players: 3, utility: g.utility, samples: 50, seed: 3 });
    expect(g.calls.length).toBe(msr.evaluations);
    expect(msr.evaluations).toBeLessThanOrEqual(8);
  });

  it("replays the same numbers for the same seed", async () => {
    const run = () => msrBanzhaf({ players: 8, utility: game(mixed).utility, samples: 64, seed: "same" });
    expect(await run()).toEqual(await run());
  });

  it("refuses when a player lands fewer than twice on one side, asking for more samples", async () => {
    await expect(msrBanzhaf({ players: 30, utility: game(mixed).utility, samples: 4, seed: 0 })).rejects.toThrow(/Draw more samples/);
  });
});

describe("utility checks", () => {
  it("names the subset whose utility is not a finite number", async () => {
    const utility: Utility = async (m) => (m.length === 2 ? Number.NaN : 1);
    const err = await exactShapley({ players: 3, utility }).catch((e) => e);
    expect(err).toBeInstanceOf(UtilityValueError);
    expect(err.message).toContain("Utility of [0, 1] is NaN");
  });

  it("rejects coalitions with repeated or out-of-range players through the cache's callers", async () => {
    const { coalitionKey, checkCoalition } = await import("../../../coordinator/src/eval/attribution/coalition.js");
    expect(coalitionKey([3, 1, 2])).toBe("1,2,3");
    expect(() => checkCoalition([0, 0], 3)).toThrow(InvalidCoalitionError);
    expect(() => checkCoalition([3], 3)).toThrow(/not a player index/);
  });
});

describe("createUtilityCache", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "utility-cache-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keys by the sorted member set: [2, 0] and [0, 2] cost one evaluation", async () => {
    const cache = await createUtilityCache({ inputsHash: hashInputs({ run: 1 }) });
    const g = game(additive([1, 2, 3]));
    const u = cache.wrap(g.utility);
    expect(await u([2, 0])).toBe(4);
    expect(await u([0, 2])).toBe(4);
    expect(g.calls).toEqual([[0, 2]]);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  it("shares one computation between concurrent asks for the same subset", async () => {
    const cache = await createUtilityCache({ inputsHash: "concurrent-1" });
    const g = game(additive([1, 2]));
    const u = cache.wrap(g.utility);
    await Promise.all([u([0, 1]), u([1, 0]), u([0, 1])]);
    expect(g.calls).toHaveLength(1);
  });

  it("resumes a run stopped with an abort without recomputing a finished subset", async () => {
    const inputsHash = hashInputs({ base: "abc", holdout: "def", seeds: [1] });
    const controller = new AbortController();
    const first = await createUtilityCache({ inputsHash, directory: dir });
    let calls = 0;
    const stopping: Utility = async (m) => {
      if (++calls === 5) controller.abort();
      return mixed(new Set(m));
    };
    await expect(exactShapley({ players: 8, utility: first.wrap(stopping), signal: controller.signal })).rejects.toThrow(/abort/i);
    await first.flush();

    const second = await createUtilityCache({ inputsHash, directory: dir });
    expect(second.size).toBe(5);
    const g = game(mixed);
    const resumed = await exactShapley({ players: 8, utility: second.wrap(g.utility) });
    expect(g.calls).toHaveLength(256 - 5);
    await second.flush();
    const fresh = await exactShapley({ players: 8, utility: game(mixed).utility });
    expect(resumed.values).toEqual(fresh.values);
  });

  it("keeps seeded values apart per seed", async () => {
    const cache = await createUtilityCache({ inputsHash: "seeded-cache", directory: dir });
    let calls = 0;
    const u = cache.wrapSeeded(async (m, seed) => {
      calls++;
      return m.length + (seed === 1 ? 0.5 : 0);
    });
    expect(await u([0], 1)).toBe(1.5);
    expect(await u([0], "1")).toBe(1);
    expect(await u([0], 1)).toBe(1.5);
    expect(calls).toBe(2);
    await cache.flush();
    const reopened = await createUtilityCache({ inputsHash: "seeded-cache", directory: dir });
    expect(await reopened.wrapSeeded(async () => Number.NaN)([0], 1)).toBe(1.5);
  });

  it("refuses a cache file made for other inputs, and a corrupt one, without overwriting it", async () => {
    const file = join(dir, "utility-inputs-aaaa.json");
    await writeFile(file, JSON.stringify({ format: "ingotforge-utility-cache/1", inputsHash: "inputs-bbbb", entries: { "": 0 } }));
    await expect(createUtilityCache({ inputsHash: "inputs-aaaa", directory: dir })).rejects.toThrow(/made for inputs inputs-bbbb/);
    await writeFile(file, "{ not json");
    const err = await createUtilityCache({ inputsHash: "inputs-aaaa", directory: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(UtilityCacheError);
    expect(err.message).toContain("Move the file away");
    expect(await readFile(file, "utf8")).toBe("{ not json");
  });

  it("does not cache a non-finite utility", async () => {
    const cache = await createUtilityCache({ inputsHash: "nan-check" });
    await expect(cache.wrap(async () => Number.POSITIVE_INFINITY)([0])).rejects.toThrow(UtilityValueError);
    expect(cache.size).toBe(0);
  });
});

describe("hashInputs", () => {
  it("ignores key order and changes with any value", () => {
    expect(hashInputs({ a: 1, b: [1, 2] })).toBe(hashInputs({ b: [1, 2], a: 1 }));
    expect(hashInputs({ a: 1, b: [1, 2] })).not.toBe(hashInputs({ a: 1, b: [2, 1] }));
    expect(hashInputs({ lr: 1e-3, bytes: new Uint8Array([1]) })).not.toBe(hashInputs({ lr: 1e-3, bytes: new Uint8Array([2]) }));
  });
});

describe("dedupeContributions", () => {
  it("keeps a partial duplicate's new examples only and leaves a full duplicate empty, in on-chain order", () => {
    const r = dedupeContributions([
      { id: "alice", exampleHashes: ["a", "b", "c"] },
      { id: "bob", exampleHashes: ["c", "d"] },
      { id: "mallory", exampleHashes: ["a", "b"] },
      { id: "carol", exampleHashes: ["e", "e", "f"] },
    ]);
    expect(r.contributions.map((c) => c.keptHashes)).toEqual([["a", "b", "c"], ["d"], [], ["e", "f"]]);
    const exact = { match: "exact", similarity: 1 };
    expect(r.contributions[1].duplicates).toEqual([{ index: 0, hash: "c", firstSeenIn: "alice", of: { id: "alice", index: 2 }, ...exact }]);
    expect(r.contributions[2]).toMatchObject({ empty: true, duplicates: [{ hash: "a", firstSeenIn: "alice" }, { hash: "b", firstSeenIn: "alice" }] });
    expect(r.contributions[3].duplicates).toEqual([{ index: 1, hash: "e", firstSeenIn: "carol", of: { id: "carol", index: 0 }, ...exact }]);
    expect(r.contributions[3].keptIndices).toEqual([0, 2]);
    expect(r.players).toEqual(["alice", "bob", "carol"]);
  });

  it("rejects repeated or empty contribution ids", () => {
    expect(() => dedupeContributions([{ id: "x", exampleHashes: [] }, { id: "x", exampleHashes: [] }])).toThrow(ContributionIdError);
    expect(() => dedupeContributions([{ id: "", exampleHashes: ["a"] }])).toThrow(/non-empty id/);
  });

  it("gives a full duplicate nothing extra: the original keeps the value it had alone", async () => {
    // Utility of the union of examples brought: each distinct example is worth 0.25.
    const contributions = [
      { id: "orig", exampleHashes: ["x", "y"] },
      { id: "copy", exampleHashes: ["x", "y"] },
      { id: "other", exampleHashes: ["z"] },
    ];
    const deduped = dedupeContributions(contributions);
    const kept = deduped.players.map((id) => deduped.contributions.find((c) => c.id === id)!.keptHashes);
    const utility: Utility = async (m) => new Set(m.flatMap((i) => kept[i])).size * 0.25;
    const est = await exactShapley({ players: deduped.players.length, utility });
    const vector = buildScoreVector({ deduped, estimate: est, trainingSeeds: [1] });
    expect(vector.entries.map((e) => [e.id, e.score, e.status])).toEqual([
      ["orig", 500000000000000000n, "scored"],
      ["copy", 0n, "duplicate"],
      ["other", 250000000000000000n, "scored"],
    ]);
  });
});

describe("buildScoreVector", () => {
  const deduped = dedupeContributions([
    { id: "1", exampleHashes: ["a"] },
    { id: "2", exampleHashes: ["b"] },
  ]);

  it("writes 1e18 fixed-point integer scores, negative allowed, with standard errors and seeds", () => {
    const v = buildScoreVector({
      deduped,
      estimate: { method: "msr-banzhaf", values: [{ value: 0.0125, stdError: 0.002 }, { value: -0.5, stdError: 0.25 }], evaluations: 40, samples: 64, seed: "s" },
      trainingSeeds: [1, 2, 3],
    });
    expect(v.entries[0]).toMatchObject({ id: "1", score: 12500000000000000n, scoreStdError: 2000000000000000n });
    expect(v.entries[1]).toMatchObject({ id: "2", score: -500000000000000000n, scoreStdError: 250000000000000000n });
    expect(v).toMatchObject({ method: "msr-banzhaf", trainingSeeds: [1, 2, 3], samplerSeed: "s", samples: 64, evaluations: 40, decimals: 18 });
    expect(JSON.parse(JSON.stringify(scoreVectorToJson(v))).entries[1].score).toBe("-500000000000000000");
  });

  it("converts from the shortest round-trip decimal, rounding half away from zero at 18 decimals", () => {
    expect(toFixed18(0.1)).toBe(100000000000000000n);
    expect(toFixed18(0.1 + 0.2)).toBe(300000000000000040n); // 0.30000000000000004
    expect(toFixed18(1.25e-7)).toBe(125000000000n);
    expect(toFixed18(-5e-19)).toBe(-1n);
    expect(toFixed18(4e-19)).toBe(0n);
    expect(toFixed18(1e21)).toBe(10n ** 39n);
    expect(toFixed18(-3)).toBe(-3000000000000000000n);
  });

  it("refuses a non-finite value and an estimate over the wrong players", () => {
    expect(() => toFixed18(Number.NaN, "7")).toThrow(/contribution 7: value NaN is not finite/);
    expect(() =>
      buildScoreVector({ deduped, estimate: { method: "leave-one-out", values: [{ value: 1, stdError: 0 }], evaluations: 2 }, trainingSeeds: [] }),
    ).toThrow(ScoreVectorError);
  });
});

describe("createHoldoutUtility", () => {
  it("is ln PPL(base) - ln PPL(adapter), 0 for ∅ without training", async () => {
    const trained: number[][] = [];
    const u = createHoldoutUtility({
      scoreBase: async () => ({ nll: 300, tokens: 100 }),
      scoreTrained: async (m) => {
        trained.push([...m]);
        return { nll: 300 - 10 * m.length, tokens: 100 };
      },
    });
    expect(await u([], 1)).toBe(0);
    expect(trained).toEqual([]);
    expect(await u([0, 2], 1)).toBeCloseTo(0.2, 12);
    expect(logPerplexity({ nll: 50, tokens: 20 })).toBe(2.5);
  });

  it("refuses scores over different numbers of holdout tokens", async () => {
    const u = createHoldoutUtility({ scoreBase: async () => ({ nll: 3, tokens: 10 }), scoreTrained: async () => ({ nll: 3, tokens: 9 }) });
    await expect(u([0], 0)).rejects.toThrow(/same holdout/);
  });
});

describe("createSeedAveragedUtility", () => {
  it("averages over seeds and records each subset's spread, feeding the exact estimators' standard errors", async () => {
    // Training noise: seed s shifts every non-empty coalition by (s - 2) * 0.01.
    const seeded = async (m: readonly number[], seed: string | number) => (m.length === 0 ? 0 : additive([0.1, 0.2])(new Set(m)) + (Number(seed) - 2) * 0.01);
    const averaged = createSeedAveragedUtility({ utility: seeded, seeds: [1, 2, 3] });
    const est = await exactShapley({ players: 2, utility: averaged.utility, utilityStdError: averaged.stdError });
    expect(values(est).map((x) => +x.toFixed(12))).toEqual([0.1, 0.2]);
    const s = averaged.stats().find((x) => x.members.join() === "0,1")!;
    expect(s.values.map((v) => v.value.toFixed(6))).toEqual(["0.290000", "0.300000", "0.310000"]);
    expect(s.std).toBeCloseTo(0.01, 12);
    expect(s.stdError).toBeCloseTo(0.01 / Math.sqrt(3), 12);
    // φ_0 = ½(U(0) - U(∅)) + ½(U(01) - U(1)); σ(∅) = 0, the three others σ/√3.
    expect(est.values[0].stdError).toBeCloseTo(0.5 * Math.sqrt(3) * (0.01 / Math.sqrt(3)), 12);
  });

  it("rejects an empty or repeated seed list", () => {
    expect(() => createSeedAveragedUtility({ utility: async () => 0, seeds: [] })).toThrow(EstimatorParameterError);
    expect(() => createSeedAveragedUtility({ utility: async () => 0, seeds: [1, 1] })).toThrow(/seeds repeat/);
  });
});

describe("attributeContributions", () => {
  // A stand-in for train-then-score: each distinct "good" example lowers the holdout NLL by 10
  // nats, each "noise" example raises it by 2, and training noise is a seeded N(0, 0.5²) per run.
  const scoreBase = async () => ({ nll: 1000, tokens: 500 });
  const makeScoreTrained = (log: string[][]) => async (hashes: readonly string[], seed: string | number) => {
    log.push([...hashes]);
    const good = hashes.filter((h) => h.startsWith("good")).length;
    const noise = hashes.filter((h) => h.startsWith("noise")).length;
    return { nll: 1000 - 10 * good + 2 * noise + 0.5 * createPrng(`${seed}|${hashes.join()}`).nextGaussian(), tokens: 500 };
  };
  const contributions = [
    { id: "alice", exampleHashes: ["good1", "good2", "good3", "good4", "good5"] },
    { id: "bob", exampleHashes: ["good1", "good6", "good7"] },
    { id: "copycat", exampleHashes: ["good2", "good3"] },
    { id: "spam", exampleHashes: ["noise1", "noise2", "noise3", "noise4"] },
  ];

  it("values relevant data positively, unrelated data negatively and a duplicate at 0, with noise and seeds recorded", async () => {
    const log: string[][] = [];
    const r = await attributeContributions({
      contributions, method: { kind: "exact-shapley" }, trainingSeeds: [1, 2, 3], scoreBase, scoreTrained: makeScoreTrained(log), utilityInputs: { base: "m" },
    });
    const byId = Object.fromEntries(r.scoreVector.entries.map((e) => [e.id, e]));
    expect(byId.copycat).toMatchObject({ status: "duplicate", score: 0n });
    expect(byId.alice.value).toBeCloseTo((5 * 10) / 500, 3);
    expect(byId.bob.value).toBeCloseTo((2 * 10) / 500, 3); // good1 was alice's first
    expect(byId.spam.value).toBeCloseTo((-4 * 2) / 500, 3);
    expect(byId.spam.score < 0n).toBe(true);
    for (const id of ["alice", "bob", "spam"]) expect(byId[id].stdError).toBeGreaterThan(0);
    expect(r.scoreVector.trainingSeeds).toEqual([1, 2, 3]);
    // 3 players: 7 non-empty coalitions × 3 seeds; bob's trainings never include good1 twice.
    expect(r.trainings.run).toBe(21);
    expect(log.every((h) => new Set(h).size === h.length)).toBe(true);
    expect(r.noise).toHaveLength(8);
    expect(r.noise.find((s) => s.members.length === 3)!.values.map((v) => v.seed)).toEqual([1, 2, 3]);
  });

  it("resumes after an abort from its cache directory and reproduces the uninterrupted result", async () => {
    const dir = await mkdtemp(join(tmpdir(), "attribution-"));
    try {
      const params = {
        contributions, method: { kind: "msr-banzhaf", samples: 24, seed: "msr" } as const, trainingSeeds: [7, 8], scoreBase,
        utilityInputs: { base: "m", lr: 1e-3 }, cacheDirectory: dir,
      };
      const controller = new AbortController();
      const firstLog: string[][] = [];
      await expect(
        attributeContributions({ ...params, scoreTrained: makeScoreTrained(firstLog), signal: controller.signal, onProgress: (done) => done === 3 && controller.abort() }),
      ).rejects.toThrow(/abort/i);
      const secondLog: string[][] = [];
      const resumed = await attributeContributions({ ...params, scoreTrained: makeScoreTrained(secondLog) });
      const fresh = await attributeContributions({ ...params, cacheDirectory: undefined, scoreTrained: makeScoreTrained([]) });
      expect(scoreVectorToJson(resumed.scoreVector)).toEqual(scoreVectorToJson(fresh.scoreVector));
      expect(firstLog.length + secondLog.length).toBe(fresh.trainings.run);
      expect(resumed.trainings.cached).toBeGreaterThan(0);
      const again = await attributeContributions({ ...params, scoreTrained: makeScoreTrained([]) });
      expect(again.trainings.run).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("attributeContributions on the real trainer and llama.cpp (tiny model)", () => {
  it("values data like the holdout above unrelated data, gives a copy nothing, and reuses trained adapters", async () => {
    const config = tinyConfig({ hiddenSize: 32, intermediateSize: 48 });
    const V = config.vocabSize;
    const model = createRandomModel({ seed: "attr-base", config, tensorType: "F32", tokenizer: fixtureTokenizer(), weightScale: 0.5 });
    // The holdout and the relevant contribution walk one cycle of six tokens from different starts.
    const cycle = [17, 42, 99, 123, 250, 301];
    const rule = (seed: string, k: number) =>
      Array.from({ length: k }, (_, j) => ({ id: `${seed}-${j}`, tokens: Array.from({ length: 16 }, (_, i) => cycle[(i + j + seed.length) % 6]), scoreFrom: 2 }));
    const noise = (seed: string, k: number) => {
      const prng = createPrng(seed);
      return Array.from({ length: k }, (_, j) => ({ id: `${seed}-${j}`, tokens: Array.from({ length: 16 }, () => prng.nextInt(V)), scoreFrom: 2 }));
    };
    const relevant = rule("relevant", 6);
    const unrelated = noise("unrelated", 6);
    const examples = new Map([...relevant, ...unrelated].map((s) => [s.id, s]));
    const contributions = [
      { id: "relevant", exampleHashes: relevant.map((s) => s.id) },
      { id: "copy", exampleHashes: relevant.map((s) => s.id) },
      { id: "unrelated", exampleHashes: unrelated.map((s) => s.id) },
    ];

    const dir = await mkdtemp(join(tmpdir(), "attr-real-"));
    const modelPath = join(dir, "base.gguf");
    await writeFile(modelPath, modelToGguf(model));
    const engine = await createScoringEngine({ modelPath, mode: "exact", threads: 2 });
    try {
      const makeScorer = () =>
        createLoraHoldoutScorer({
          model, baseModelId: "attr-base", engine, holdout: rule("holdout", 4), examples, adapterDirectory: join(dir, "adapters"),
          hyper: {
            rank: 4, alpha: 8, targets: ["attn_v", "ffn_down", "output"], learningRate: 5e-2, weightDecay: 0,
            betas: [0.9, 0.999], eps: 1e-8, batchSize: 3, steps: 8,
          },
        });
      const scorer = makeScorer();
      const run = (s: ReturnType<typeof makeScorer>) =>
        attributeContributions({
          contributions, method: { kind: "exact-shapley" }, trainingSeeds: [1], utilityInputs: { base: "attr-base" }, ...s,
        });
      const first = await run(scorer);
      const byId = Object.fromEntries(first.scoreVector.entries.map((e) => [e.id, e]));
      expect(byId.copy).toMatchObject({ status: "duplicate", score: 0n });
      // Measured: relevant +6.17 nats/token, unrelated −0.67 (training on noise hurts the holdout).
      expect(byId.relevant.value).toBeGreaterThan(1);
      expect(byId.unrelated.value).toBeLessThan(0.1);
      expect(scorer.stats).toEqual({ trained: 3, reused: 0 });
      // A fresh run (no utility cache) finds every adapter on disk and scores the same.
      const again = makeScorer();
      const second = await run(again);
      expect(again.stats).toEqual({ trained: 0, reused: 3 });
      expect(scoreVectorToJson(second.scoreVector)).toEqual(scoreVectorToJson(first.scoreVector));
    } finally {
      await engine.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
