import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComputePool, type ComputePoolRecord, type CreateComputePoolParameters } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { createReexecutor, type Reexecute } from "../../../coordinator/src/compute/createReexecutor.js";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { WorkerTimeoutError } from "../../../coordinator/src/compute/errors.js";
import { expectedTrainedTokens } from "../../../coordinator/src/compute/expectedTrainedTokens.js";
import { isJobAudited } from "../../../coordinator/src/compute/isJobAudited.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { healthFromRecord } from "../../../coordinator/src/compute/policy/healthFromRecord.js";
import { planAssignments } from "../../../coordinator/src/compute/policy/planAssignments.js";
import { rankWorkersWeighted } from "../../../coordinator/src/compute/policy/rankWorkersWeighted.js";
import { signJobResult } from "../../../coordinator/src/compute/signJobResult.js";
import type { ComputeWorker, ScoredSequence, TrainingJob, TrainingJobResult } from "../../../coordinator/src/compute/types.js";
import { ggufToLoraAdapter } from "../../../coordinator/src/eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../../../coordinator/src/eval/model/loraAdapterToGguf.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { computeLogProbs } from "../../../coordinator/src/eval/train/computeLogProbs.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";

// Five workers: 0, 1, 2 honest, 3 returns a perturbed adapter, 4 withholds.
const IDS = [0, 1, 2, 3, 4];
const CHEATER = 3;
const WITHHOLDER = 4;
const KEYS = IDS.map((i) => `0x${(i + 17).toString(16).padStart(2, "0").repeat(32)}` as Hex);
const model = tinyBase("pool-policy");
let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let reexecute: Reexecute;
let reexecutions = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pool-policy-"));
  store = await createLocalContentStore({ dir });
  baseModelRoot = (await store.put(modelToGguf(model))).root;
  const inner = createReexecutor({ store, model, baseModelRoot });
  const memo = new Map<Hex, ReturnType<Reexecute>>();
  reexecute = (j, s, o) => {
    reexecutions++;
    if (!memo.has(j.jobId)) memo.set(j.jobId, inner(j, s, o));
    return memo.get(j.jobId)!;
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Tiny jobs (2 examples, 1 step) so many seeded pools run in seconds. */
function jobs(prefix: string, count: number): { job: TrainingJob; sequences: ScoredSequence[] }[] {
  return Array.from({ length: count }, (_, i) => {
    const { hashes, sequences } = exampleSequences(`${prefix}-${i}`, 2);
    return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: { ...hyper(`${prefix}-${i}`), steps: 1 }, sequences }), sequences };
  });
}

// Test-only workers. Results are memoized per job across pools (Ed25519 signing is deterministic,
// so a memoized result is byte-for-byte what the worker would return again): the pool cannot tell.
const honestMemo = new Map<string, Promise<TrainingJobResult>>();
function honest(computeId: number): ComputeWorker & { calls: number } {
  const inner = createInProcessWorker({ computeId, ed25519PrivateKey: KEYS[computeId], model, baseModelRoot, store });
  const w = {
    computeId,
    publicKey: inner.publicKey,
    calls: 0,
    run(j: TrainingJob, s: readonly ScoredSequence[]) {
      w.calls++;
      const key = `${computeId}/${j.jobId}`;
      if (!honestMemo.has(key)) honestMemo.set(key, inner.run(j, s));
      return honestMemo.get(key)!;
    },
  };
  return w;
}

/** Trains honestly, then adds `delta` to one adapter value and stores and signs that: every check but verification passes. */
function perturbing(computeId: number, delta = 1e-3): ComputeWorker & { calls: number } {
  const inner = honest(computeId);
  const memo = new Map<Hex, Promise<TrainingJobResult>>();
  const w = {
    computeId,
    publicKey: inner.publicKey,
    calls: 0,
    run(j: TrainingJob, s: readonly ScoredSequence[]) {
      w.calls++;
      if (!memo.has(j.jobId)) {
        memo.set(
          j.jobId,
          (async () => {
            const r = await inner.run(j, s);
            const adapter = ggufToLoraAdapter(await store.get(r.adapterRoot));
            adapter.pairs[0].b[0] += delta;
            const { root } = await store.put(loraAdapterToGguf(adapter, { baseModelName: j.baseModelRoot, name: `ingotforge-job-${j.jobId.slice(2)}` }));
            return signJobResult({ result: { ...r, adapterRoot: root, adapterHash: `0x${hashAdapter(adapter)}` }, ed25519PrivateKey: KEYS[computeId] });
          })(),
        );
      }
      return memo.get(j.jobId)!;
    },
  };
  return w;
}

/** Takes the job and never answers; gives up only when the pool's timeout aborts it. */
function withholding(computeId: number): ComputeWorker & { calls: number } {
  const w = {
    computeId,
    publicKey: ed25519PublicKeyOf(KEYS[computeId]),
    calls: 0,
    run: (_j: TrainingJob, _s: readonly ScoredSequence[], options?: { signal?: AbortSignal }) => {
      w.calls++;
      return new Promise<TrainingJobResult>((_, reject) => options?.signal?.addEventListener("abort", () => reject(options.signal!.reason)));
    },
  };
  return w;
}

/**
 * A withholder as a transport client reports it once its own deadline passes (createQueueWorkerClient
 * throws WorkerTimeoutError): the same outcome for the pool, without waiting in real time — for the
 * many seeded pools below.
 */
function withholdingBehindTransport(computeId: number): ComputeWorker {
  return { computeId, publicKey: ed25519PublicKeyOf(KEYS[computeId]), run: async (j) => Promise.reject(new WorkerTimeoutError(computeId, j.jobId, 60_000)) };
}

type Base = Omit<CreateComputePoolParameters, "workers" | "publicSeed">;
const base = (verification: CreateComputePoolParameters["verification"]): Base => ({ verification, reexecute, store });

async function runPool(workers: ComputeWorker[], publicSeed: string, js: ReturnType<typeof jobs>, extra: Base) {
  const pool = createComputePool({ workers, publicSeed, ...extra });
  const outs = [];
  for (const { job, sequences } of js) outs.push(await pool.train(job, sequences));
  return { pool, outs, record: pool.record() };
}

/** The plan's ranking of each job without the withholder (it never returns a result, so it only delays). */
function effectiveRankings(record: ComputePoolRecord): number[][] {
  const plan = planAssignments({ publicSeed: record.publicSeed, jobIds: record.jobs.map((r) => r.job.jobId), workers: record.workers, health: record.plan!.health });
  return plan.assignments.map((a) => a.ranking.filter((c) => c !== WITHHOLDER));
}

const tokensOf = (js: ReturnType<typeof jobs>) => js.reduce((a, { job, sequences }) => a + expectedTrainedTokens(job.hyper, sequences), 0);

describe("compute pool verification by duplication (5 workers: one perturbs, one withholds)", () => {
  it("under full verification accepts exactly the adapters 5 honest workers produce; cheater and withholder earn nothing, honest workers lose nothing", async () => {
    const js = jobs("full", 10);
    const honestRun = await runPool(IDS.map(honest), "0xfull", js, base({ policy: "full" }));
    const cheater = perturbing(CHEATER);
    const withholder = withholding(WITHHOLDER);
    const mixed = await runPool([honest(0), honest(1), honest(2), cheater, withholder], "0xfull", js, { ...base({ policy: "full" }), workerTimeoutMs: 2_000 });

    expect(mixed.outs.map((o) => o.adapterHash)).toEqual(honestRun.outs.map((o) => o.adapterHash));
    expect(mixed.outs.every((o) => o.verified && o.computeId !== null && o.computeId < 3)).toBe(true);
    expect(cheater.calls).toBeGreaterThan(0);
    const credits = mixed.pool.credits();
    expect(credits.find((c) => c.computeId === CHEATER)).toMatchObject({ acceptedJobs: 0, trainedTokens: 0, duplicateJobs: 0, faulty: true });
    expect(credits.find((c) => c.computeId === WITHHOLDER)).toMatchObject({ acceptedJobs: 0, trainedTokens: 0, duplicateJobs: 0, faulty: false });
    // Every job's work is credited to someone honest, and no honest worker loses a job it had with 5 honest workers.
    expect(credits.reduce((a, c) => a + c.trainedTokens, 0)).toBe(tokensOf(js));
    expect(honestRun.pool.credits().reduce((a, c) => a + c.trainedTokens, 0)).toBe(tokensOf(js));
    for (const id of [0, 1, 2]) {
      expect(credits.find((c) => c.computeId === id)!.trainedTokens).toBeGreaterThanOrEqual(honestRun.pool.credits().find((c) => c.computeId === id)!.trainedTokens);
    }
    // The withholder was tried, timed out, routed around, benched after two timeouts — never blamed as a cheater.
    expect(withholder.calls).toBeGreaterThan(0);
    const w = mixed.record.workers.find((x) => x.computeId === WITHHOLDER)!;
    expect(w.failures).toBe(withholder.calls);
    expect(w.status).toBe(withholder.calls >= 2 ? "benched" : "active");
    expect(w.health).toBeCloseTo(0.8 ** withholder.calls, 12);
    expect(mixed.record.workers.find((x) => x.computeId === CHEATER)).toMatchObject({ status: "faulty", health: 0.2, fault: { reason: "verification-mismatch" } });
    // Three honest workers were always there to settle: the coordinator never had to re-execute.
    expect(mixed.record.jobs.every((r) => r.reexecution === undefined)).toBe(true);
  });

  it("settles a mismatch by a third run on a third distinct worker: the majority wins, the wrong worker's health drops and it earns nothing", async () => {
    const workers = () => [honest(0), honest(1), honest(2), perturbing(CHEATER), withholdingBehindTransport(WITHHOLDER)];
    const prior = { 0: 0.5, 1: 0.5, 2: 0.5, 3: 0.5, 4: 0.5 };
    // Find a job the cheater runs first, and one it runs as the duplicate.
    const candidates = jobs("settle", 40);
    const probe = planAssignments({ publicSeed: "0xsettle", jobIds: candidates.map((c) => c.job.jobId), workers: IDS.map((computeId) => ({ computeId })), health: prior });
    const eff = probe.assignments.map((a) => a.ranking.filter((c) => c !== WITHHOLDER));
    const asPrimary = candidates[eff.findIndex((r) => r[0] === CHEATER)];
    const asDuplicate = candidates[eff.findIndex((r) => r[1] === CHEATER)];

    for (const [picked, cheaterIndex] of [
      [asPrimary, 0],
      [asDuplicate, 1],
    ] as const) {
      const { pool, outs, record } = await runPool(workers(), "0xsettle", [picked], { ...base({ policy: "full" }), health: prior });
      const ranking = record.jobs[0].ranking.filter((c) => c !== WITHHOLDER);
      const settledBy = ranking[2];
      const winner = ranking[cheaterIndex === 0 ? 1 : 0];
      const attempts = record.jobs[0].attempts.filter((a) => a.computeId !== WITHHOLDER);
      expect(attempts.map((a) => [a.computeId, a.outcome, "reason" in a ? a.reason : undefined])).toEqual(
        ranking.slice(0, 3).map((c) => (c === CHEATER ? [c, "rejected", "verification-mismatch"] : [c, "accepted", undefined])),
      );
      expect(outs[0]).toMatchObject({ computeId: winner, verified: true, adapterHash: (await reexecute(picked.job, picked.sequences)).adapterHash });
      expect(record.jobs[0].reexecution).toBeUndefined();
      const health = healthFromRecord(record);
      expect(health[CHEATER]).toBeCloseTo(0.1, 12); // 0.5 × 0.2
      expect(health[winner]).toBeCloseTo(0.525, 12); // verified: +5 % of the gap
      expect(health[settledBy]).toBeCloseTo(0.525, 12);
      const credits = pool.credits();
      expect(credits.find((c) => c.computeId === CHEATER)).toMatchObject({ trainedTokens: 0, acceptedJobs: 0, duplicateJobs: 0, faulty: true });
      expect(credits.find((c) => c.computeId === winner)).toMatchObject({ acceptedJobs: 1, verifiedJobs: 1, trainedTokens: expectedTrainedTokens(picked.job.hyper, picked.sequences) });
      expect(credits.find((c) => c.computeId === settledBy)).toMatchObject({ acceptedJobs: 0, duplicateJobs: 1, duplicateTokens: expectedTrainedTokens(picked.job.hyper, picked.sequences) });
    }
  });

  it("catches the cheater every time under full verification, on each of 40 seeds where the plan gives it a job", async () => {
    const js = jobs("full-seeds", 4);
    let withJob = 0;
    for (let s = 0; s < 40; s++) {
      const { record } = await runPool([honest(0), honest(1), honest(2), perturbing(CHEATER), withholdingBehindTransport(WITHHOLDER)], `0xfullseed${s}`, js, base({ policy: "full" }));
      const receives = effectiveRankings(record).some((r) => r.slice(0, 2).includes(CHEATER));
      if (receives) withJob++;
      expect(record.workers.find((w) => w.computeId === CHEATER)!.status).toBe(receives ? "faulty" : "active");
      expect(record.jobs.every((r) => r.outcome.computeId !== CHEATER)).toBe(true);
    }
    expect(withJob).toBeGreaterThan(30);
  });

  it("under sample verification catches the cheater on a seed exactly when the plan sends it an audited job, at the rate 1-(1-p)^k within 4σ over 200 seeds", async () => {
    const p = 0.2;
    const verification = { policy: "sample", fraction: p } as const;
    const js = jobs("sample-seeds", 6);
    let caught = 0;
    let expected = 0;
    let variance = 0;
    let unverifiedCheats = 0;
    for (let s = 0; s < 200; s++) {
      const publicSeed = `0xsampleseed${s}`;
      const { record, outs } = await runPool([honest(0), honest(1), honest(2), perturbing(CHEATER), withholdingBehindTransport(WITHHOLDER)], publicSeed, js, base(verification));
      // k: jobs where the cheater would run if audited — first (it runs every such job) or second (it runs it as the duplicate).
      const exposed = effectiveRankings(record)
        .map((r, i) => ({ r, jobId: js[i].job.jobId }))
        .filter(({ r }) => r.slice(0, 2).includes(CHEATER));
      const k = exposed.length;
      const q = 1 - (1 - p) ** k;
      expected += q;
      variance += q * (1 - q);
      const isCaught = record.workers.find((w) => w.computeId === CHEATER)!.status === "faulty";
      if (isCaught) caught++;
      // Deterministically: caught iff one of those k jobs is audited (the audit draw is public too).
      expect(isCaught).toBe(exposed.some(({ jobId }) => isJobAudited({ jobId, publicSeed, verification })));
      // A cheater's result is only ever accepted unverified, and then flagged suspect once it is caught.
      for (const [i, r] of record.jobs.entries()) {
        if (r.outcome.computeId !== CHEATER) continue;
        unverifiedCheats++;
        expect(outs[i].verified).toBe(false);
        expect(r.suspect === true).toBe(isCaught);
      }
    }
    expect(unverifiedCheats).toBeGreaterThan(0);
    expect(Math.abs(caught - expected)).toBeLessThan(4 * Math.sqrt(variance));
  });

  it("rebuilds every job's ranking from the record (seed, jobs, plan health), also for a pool weighted by a previous pool's health", async () => {
    const js = jobs("replay", 12);
    const first = await runPool([honest(0), honest(1), honest(2), perturbing(CHEATER), withholdingBehindTransport(WITHHOLDER)], "0xreplay", js, base({ policy: "full" }));
    const prior = healthFromRecord(first.record);
    expect(prior[CHEATER]).toBeCloseTo(0.2, 12);
    const second = await runPool([honest(0), honest(1), honest(2), perturbing(CHEATER), withholdingBehindTransport(WITHHOLDER)], "0xreplay", js, { ...base({ policy: "full" }), health: prior });
    for (const { record } of [first, second]) {
      const saved = JSON.parse(JSON.stringify(record)) as ComputePoolRecord;
      const replay = planAssignments({ publicSeed: saved.publicSeed, jobIds: saved.jobs.map((r) => r.job.jobId), workers: saved.workers, health: saved.plan!.health });
      expect(replay.assignments.map((a) => a.ranking)).toEqual(saved.jobs.map((r) => r.ranking));
      expect(saved.plan!.scheme).toBe(replay.scheme);
    }
    expect(second.record.plan!.health).toEqual(prior);
    // The lower weights change some rankings (the plan depends on health), and the cheater is first less often.
    const firsts = (r: ComputePoolRecord) => r.jobs.filter((j) => j.ranking[0] === CHEATER).length;
    expect(second.record.jobs.some((j, i) => j.ranking.join() !== first.record.jobs[i].ranking.join())).toBe(true);
    expect(firsts(second.record)).toBeLessThanOrEqual(firsts(first.record));

    // Resumed from its saved record, a pool keeps the plan and the health it had reached.
    const saved = JSON.parse(JSON.stringify(second.record)) as ComputePoolRecord;
    const resumed = createComputePool({ workers: [honest(0), honest(1), honest(2), perturbing(CHEATER), withholdingBehindTransport(WITHHOLDER)], publicSeed: "0xreplay", ...base({ policy: "full" }), resumeFrom: saved });
    expect(resumed.record().plan).toEqual(saved.plan);
    expect(resumed.record().workers.map((w) => w.health)).toEqual(saved.workers.map((w) => w.health));
    // A record made before health scores (no plan, no health) resumes with equal weights.
    const { plan: _p, comparator: _c, verifyBy: _v, ...old } = saved;
    const legacy = createComputePool({ workers: IDS.map(honest), publicSeed: "0xreplay", ...base({ policy: "full" }), resumeFrom: { ...old, workers: old.workers.map(({ health: _h, ...w }) => w) } });
    expect(legacy.record().plan!.health).toEqual({ 0: 1, 1: 1, 2: 1, 3: 1, 4: 1 });
  });

  it("with verifyBy reexecution verifies on the coordinator instead of a duplicate: one worker execution per job, the cheater still caught", async () => {
    const js = jobs("reexec", 6);
    const before = reexecutions;
    const { record } = await runPool([honest(0), honest(1), honest(2), perturbing(CHEATER), withholdingBehindTransport(WITHHOLDER)], "0xreexec", js, { ...base({ policy: "full" }), verifyBy: "reexecution" });
    expect(reexecutions - before).toBe(js.length);
    expect(record.jobs.every((r) => r.reexecution !== undefined)).toBe(true);
    // This seed's plan puts the cheater first on some job (checked here, so the rest is not vacuous).
    expect(effectiveRankings(record).some((r) => r[0] === CHEATER)).toBe(true);
    expect(record.workers.find((w) => w.computeId === CHEATER)!.status).toBe("faulty");
    for (const r of record.jobs) {
      const answered = r.attempts.filter((a) => a.outcome === "accepted" || a.outcome === "rejected");
      expect(answered.filter((a) => a.outcome === "accepted")).toHaveLength(1);
      expect(answered.length).toBe(r.attempts.some((a) => a.computeId === CHEATER && a.outcome === "rejected") ? 2 : 1);
    }
    expect(record.workers.find((w) => w.computeId === CHEATER)!.fault!.reason).toBe("reexecution-mismatch");
    expect(record.verifyBy).toBe("reexecution");
    expect(() => createComputePool({ workers: IDS.map(honest), publicSeed: "0xreexec", ...base({ policy: "full" }), resumeFrom: record })).toThrow(/verified by reexecution/);
  });

  it("refuses a metric comparator without a usable tolerance or evaluate, and a record made with another comparator", async () => {
    const workers = IDS.map(honest);
    const evaluate = () => 1;
    expect(() => createComputePool({ workers, publicSeed: "s", ...base({ policy: "full" }), comparator: { kind: "metric", tolerance: -1, evaluate } })).toThrow(/tolerance/);
    expect(() => createComputePool({ workers, publicSeed: "s", ...base({ policy: "full" }), comparator: { kind: "metric", tolerance: Number.NaN, evaluate } })).toThrow(/tolerance/);
    expect(() => createComputePool({ workers, publicSeed: "s", ...base({ policy: "full" }), comparator: { kind: "metric", tolerance: 0.1 } as never })).toThrow(/evaluate/);
    const record = createComputePool({ workers, publicSeed: "s", ...base({ policy: "full" }) }).record();
    expect(() => createComputePool({ workers, publicSeed: "s", ...base({ policy: "full" }), comparator: { kind: "metric", tolerance: 0.1, evaluate }, resumeFrom: record })).toThrow(/compared results by/);
  });

  it("with the metric comparator, accepts an external trainer's slightly different adapter within the tolerance and outvotes a cheater beyond it; the coordinator alone sees the holdout", async () => {
    const holdout = exampleSequences("holdout", 3).sequences;
    const evaluated: Hex[] = [];
    const evaluate = async (adapterRoot: Hex) => {
      evaluated.push(adapterRoot);
      const nll = computeLogProbs({ model, adapter: ggufToLoraAdapter(await store.get(adapterRoot)), sequences: holdout });
      return nll.reduce((a, r) => a + r.nll, 0) / nll.reduce((a, r) => a + r.tokens, 0);
    };
    const comparator = { kind: "metric", tolerance: 1e-5, evaluate } as const;
    const seen: (readonly ScoredSequence[])[] = [];
    const spy = (w: ComputeWorker): ComputeWorker => ({ ...w, run: (j, s, o) => (seen.push(s), w.run(j, s, o)) });
    // 0: a bit-inexact external trainer (1e-6 off), 1: honest, 2: a cheater far off (0.5); a job the cheater runs first.
    const workers = [perturbing(0, 1e-6), honest(1), perturbing(2, 0.5)].map(spy);
    const picked = jobs("metric", 30).find((c) => rankWorkersWeighted({ jobId: c.job.jobId, publicSeed: "0xmetric", workers })[0].computeId === 2)!;
    const [inexact, reference] = [await workers[0].run(picked.job, picked.sequences), await workers[1].run(picked.job, picked.sequences)];
    expect(inexact.adapterHash).not.toBe(reference.adapterHash);
    seen.length = 0;
    const exact = await runPool(workers, "0xmetric", [picked], base({ policy: "full" }));
    const metric = await runPool(workers, "0xmetric", [picked], { ...base({ policy: "full" }), comparator });
    const faulty = (r: ComputePoolRecord) => r.workers.filter((w) => w.status === "faulty").map((w) => w.computeId);
    // Bit-exact comparison faults the inexact trainer too (and the cheater, if it ran); within tolerance only the cheater.
    expect(faulty(exact.record)).toContain(0);
    expect(faulty(exact.record)).toContain(2);
    expect(faulty(metric.record)).toEqual([2]);
    expect(metric.record.jobs[0].attempts.map((a) => [a.computeId, a.outcome])).toEqual(
      metric.record.jobs[0].ranking.map((c) => [c, c === 2 ? "rejected" : "accepted"]),
    );
    expect(metric.outs[0]).toMatchObject({ verified: true, computeId: metric.record.jobs[0].ranking[1] });
    expect(metric.record.comparator).toEqual({ kind: "metric", tolerance: 1e-5 });
    expect(evaluated.length).toBe(3);
    for (const a of metric.record.jobs[0].attempts) expect(typeof ("metric" in a ? a.metric : undefined)).toBe("number");
    // Workers were only ever given the job's own sequences, never the holdout.
    const holdoutTokens = new Set(holdout.map((h) => h.tokens.join()));
    expect(seen.flat().some((s) => holdoutTokens.has(s.tokens.join()))).toBe(false);
    expect(seen.every((s) => s === picked.sequences)).toBe(true);
  });
});
