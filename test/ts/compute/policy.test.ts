import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { rankWorkers } from "../../../coordinator/src/compute/assignWorker.js";
import { computeJobId } from "../../../coordinator/src/compute/planTrainingJob.js";
import { DEFAULT_HEALTH_POLICY, defaultHealthPolicy } from "../../../coordinator/src/compute/policy/defaultHealthPolicy.js";
import { planAssignments } from "../../../coordinator/src/compute/policy/planAssignments.js";
import { rankWorkersWeighted } from "../../../coordinator/src/compute/policy/rankWorkersWeighted.js";
import { resultsAgree } from "../../../coordinator/src/compute/policy/resultsAgree.js";
import { tallyVotes, type Vote } from "../../../coordinator/src/compute/policy/tallyVotes.js";
import { updateHealth } from "../../../coordinator/src/compute/policy/updateHealth.js";
import { FORGE, hyper } from "./computeFixtures.js";

const ROOT = `0x${"ab".repeat(32)}` as const;
const jobIds = Array.from({ length: 8000 }, (_, i) => computeJobId({ forge: FORGE, baseModelRoot: ROOT, exampleHashes: [`0x${i.toString(16)}`], hyper: hyper() }));
const workers = [0, 1, 2, 3].map((computeId) => ({ computeId }));

describe("updateHealth", () => {
  it("drops a score more on a fault than on a timeout, and recovers it slowly on verified work, staying in [minHealth, 1]", () => {
    expect(updateHealth(1, "fault")).toBeCloseTo(0.2, 12);
    expect(updateHealth(1, "timed-out")).toBeCloseTo(0.8, 12);
    expect(updateHealth(1, "failed")).toBeCloseTo(0.8, 12);
    expect(updateHealth(1, "verified")).toBe(1);
    expect(updateHealth(0.5, "verified")).toBeCloseTo(0.525, 12);
    // From a fault back to 0.9 takes dozens of verified jobs: ln(0.1/0.8) / ln(0.95) ≈ 40.5.
    let h = updateHealth(1, "fault");
    let n = 0;
    while (h < 0.9) (h = updateHealth(h, "verified")), n++;
    expect(n).toBe(41);
    let low = 1;
    for (let i = 0; i < 20; i++) low = updateHealth(low, "fault");
    expect(low).toBe(DEFAULT_HEALTH_POLICY.minHealth);
  });

  it("follows a supplied policy and refuses scores or factors out of range", () => {
    const p = defaultHealthPolicy({ faultFactor: 0.5, recovery: 0.5 });
    expect(updateHealth(0.8, "fault", p)).toBeCloseTo(0.4, 12);
    expect(updateHealth(0.4, "verified", p)).toBeCloseTo(0.7, 12);
    expect(() => updateHealth(1.5, "verified")).toThrow(/in \[0, 1\]/);
    expect(() => defaultHealthPolicy({ timeoutFactor: 2 })).toThrow(/timeoutFactor/);
    expect(() => defaultHealthPolicy({ minHealth: 0 })).toThrow(/minHealth/);
  });
});

describe("rankWorkersWeighted", () => {
  it("with equal weights is exactly rankWorkers' order (records made before health scores replay unchanged)", () => {
    for (const jobId of jobIds.slice(0, 300)) {
      const plain = rankWorkers({ jobId, publicSeed: "0xseed", workers }).map((w) => w.computeId);
      expect(rankWorkersWeighted({ jobId, publicSeed: "0xseed", workers }).map((w) => w.computeId)).toEqual(plain);
      expect(rankWorkersWeighted({ jobId, publicSeed: "0xseed", workers, health: { 0: 0.3, 1: 0.3, 2: 0.3, 3: 0.3 } }).map((w) => w.computeId)).toEqual(plain);
    }
  });

  it("puts each worker first with probability weight / Σ weights (within 4σ over 8000 jobs)", () => {
    const health = { 0: 1, 1: 0.5, 2: 0.25, 3: 0.05 };
    const total = 1.8;
    const firsts = [0, 0, 0, 0];
    for (const jobId of jobIds) firsts[rankWorkersWeighted({ jobId, publicSeed: "0xweights", workers, health })[0].computeId]++;
    for (const [id, w] of Object.entries(health)) {
      const p = w / total;
      expect(Math.abs(firsts[Number(id)] / jobIds.length - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / jobIds.length));
    }
  });

  it("is independent of the workers' order, moves only a removed worker's jobs, and ranks weight 0 last", () => {
    const health = { 0: 1, 1: 0.5, 2: 0, 3: 0.7 };
    for (const jobId of jobIds.slice(0, 200)) {
      const ranking = rankWorkersWeighted({ jobId, publicSeed: "0xs", workers, health }).map((w) => w.computeId);
      expect(rankWorkersWeighted({ jobId, publicSeed: "0xs", workers: [...workers].reverse(), health }).map((w) => w.computeId)).toEqual(ranking);
      expect(ranking[3]).toBe(2);
      const without1 = rankWorkersWeighted({ jobId, publicSeed: "0xs", workers: workers.filter((w) => w.computeId !== 1), health }).map((w) => w.computeId);
      expect(without1).toEqual(ranking.filter((c) => c !== 1));
    }
    expect(() => rankWorkersWeighted({ jobId: jobIds[0], publicSeed: "s", workers, health: { 1: 1.2 } })).toThrow(/health 1.2/);
    expect(() => rankWorkersWeighted({ jobId: jobIds[0], publicSeed: "s", workers: [...workers, { computeId: 0 }] })).toThrow(/listed twice/);
  });
});

describe("planAssignments", () => {
  it("gives the same plan from the same (seed, jobs, health), a different one when health changes", () => {
    const ids = jobIds.slice(0, 100) as Hex[];
    const a = planAssignments({ publicSeed: "0xplan", jobIds: ids, workers, health: { 2: 0.2 } });
    const b = planAssignments({ publicSeed: "0xplan", jobIds: ids, workers: [...workers].reverse(), health: { 0: 1, 1: 1, 2: 0.2, 3: 1 } });
    expect(b).toEqual(a);
    expect(a.health).toEqual({ 0: 1, 1: 1, 2: 0.2, 3: 1 });
    const uniform = planAssignments({ publicSeed: "0xplan", jobIds: ids, workers });
    const changed = a.assignments.filter((x, i) => x.ranking.join() !== uniform.assignments[i].ranking.join()).length;
    expect(changed).toBeGreaterThan(0);
    expect(a.assignments.every((x) => x.ranking.length === 4 && new Set(x.ranking).size === 4)).toBe(true);
  });
});

describe("tallyVotes", () => {
  const h = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
  const exact = (a: Vote, b: Vote) => resultsAgree({ kind: "exact" }, a, b);

  it("accepts the primary when its duplicate agrees", () => {
    expect(tallyVotes({ votes: [{ computeId: 3, adapterHash: h(1) }, { computeId: 1, adapterHash: h(1) }], agree: exact })).toEqual({ decided: true, winner: 0, agreeing: [0, 1], outvoted: [] });
  });

  it("leaves a mismatch undecided until a third execution sides with one of the two", () => {
    const two: Vote[] = [{ computeId: 3, adapterHash: h(1) }, { computeId: 1, adapterHash: h(2) }];
    expect(tallyVotes({ votes: two, agree: exact })).toEqual({ decided: false });
    expect(tallyVotes({ votes: [...two, { computeId: 4, adapterHash: h(2) }], agree: exact })).toEqual({ decided: true, winner: 1, agreeing: [1, 2], outvoted: [0] });
    expect(tallyVotes({ votes: [...two, { computeId: 4, adapterHash: h(1) }], agree: exact })).toEqual({ decided: true, winner: 0, agreeing: [0, 2], outvoted: [1] });
    expect(tallyVotes({ votes: [...two, { computeId: 4, adapterHash: h(3) }], agree: exact })).toEqual({ decided: false });
  });

  it("takes the coordinator's own run as authoritative once it has voted", () => {
    expect(tallyVotes({ votes: [{ computeId: 3, adapterHash: h(1) }, { computeId: null, adapterHash: h(1) }], agree: exact })).toEqual({ decided: true, winner: 0, agreeing: [0, 1], outvoted: [] });
    expect(tallyVotes({ votes: [{ computeId: 3, adapterHash: h(1) }, { computeId: 1, adapterHash: h(2) }, { computeId: null, adapterHash: h(2) }], agree: exact })).toMatchObject({ winner: 1, outvoted: [0] });
    expect(tallyVotes({ votes: [{ computeId: 3, adapterHash: h(1) }, { computeId: null, adapterHash: h(2) }], agree: exact })).toEqual({ decided: true, winner: 1, agreeing: [1], outvoted: [0] });
  });

  it("with the metric comparator, agrees within the tolerance only", () => {
    const metric = { kind: "metric", tolerance: 0.01 } as const;
    expect(resultsAgree(metric, { adapterHash: h(1), metric: 2.0 }, { adapterHash: h(2), metric: 2.009 })).toBe(true);
    expect(resultsAgree(metric, { adapterHash: h(1), metric: 2.0 }, { adapterHash: h(2), metric: 2.011 })).toBe(false);
    expect(resultsAgree(metric, { adapterHash: h(1) }, { adapterHash: h(2), metric: 2 })).toBe(false);
    expect(resultsAgree({ kind: "exact" }, { adapterHash: h(1), metric: 2 }, { adapterHash: h(2), metric: 2 })).toBe(false);
  });
});
