import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rankWorkers } from "../../../coordinator/src/compute/assignWorker.js";
import { createComputePool, type ComputePoolEvent } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { createReexecutor, type Reexecute } from "../../../coordinator/src/compute/createReexecutor.js";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { expectedTrainedTokens } from "../../../coordinator/src/compute/expectedTrainedTokens.js";
import { isJobAudited } from "../../../coordinator/src/compute/isJobAudited.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { signJobResult } from "../../../coordinator/src/compute/signJobResult.js";
import type { ComputeWorker, ScoredSequence, TrainingJob } from "../../../coordinator/src/compute/types.js";
import { ggufToLoraAdapter } from "../../../coordinator/src/eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../../../coordinator/src/eval/model/loraAdapterToGguf.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";

const KEYS = [0, 1, 2, 3].map((i) => `0x${(i + 1).toString(16).padStart(2, "0").repeat(32)}` as Hex);
const model = tinyBase();
let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let reexecute: Reexecute;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compute-pool-"));
  store = await createLocalContentStore({ dir });
  baseModelRoot = (await store.put(modelToGguf(model))).root;
  reexecute = createReexecutor({ store, model, baseModelRoot });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function job(seed: string, count = 4): { job: TrainingJob; sequences: ScoredSequence[] } {
  const { hashes, sequences } = exampleSequences(seed, count);
  return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: hyper(seed), sequences }), sequences };
}

function honest(computeId: number): ComputeWorker {
  return createInProcessWorker({ computeId, ed25519PrivateKey: KEYS[computeId], model, baseModelRoot, store });
}

/** Trains honestly, then nudges one adapter value and stores and signs that instead: every check but re-execution passes. */
function perturbing(computeId: number): ComputeWorker & { calls: number } {
  const inner = honest(computeId);
  const w = {
    computeId,
    publicKey: inner.publicKey,
    calls: 0,
    async run(j: TrainingJob, s: readonly ScoredSequence[]) {
      w.calls++;
      const r = await inner.run(j, s);
      const adapter = ggufToLoraAdapter(await store.get(r.adapterRoot));
      adapter.pairs[0].b[0] += 1e-3;
      const { root } = await store.put(loraAdapterToGguf(adapter, { baseModelName: j.baseModelRoot, name: `ingotforge-job-${j.jobId.slice(2)}` }));
      return signJobResult({ result: { ...r, adapterRoot: root, adapterHash: `0x${hashAdapter(adapter)}` }, ed25519PrivateKey: KEYS[computeId] });
    },
  };
  return w;
}

function counting(worker: ComputeWorker): ComputeWorker & { calls: number } {
  const w = { computeId: worker.computeId, publicKey: worker.publicKey, calls: 0, run: (j: TrainingJob, s: readonly ScoredSequence[]) => (w.calls++, worker.run(j, s)) };
  return w;
}

/** A job whose first-ranked worker (under `publicSeed`) is `computeId`. */
function jobFirstFor(computeId: number, workers: { computeId: number }[], publicSeed: string, prefix: string) {
  for (let i = 0; ; i++) {
    const j = job(`${prefix}-${i}`);
    if (rankWorkers({ jobId: j.job.jobId, publicSeed, workers })[0].computeId === computeId) return j;
  }
}

describe("createComputePool", () => {
  it("accepts an honest worker's result under full verification and credits its trained tokens", async () => {
    const w = counting(honest(0));
    const events: ComputePoolEvent[] = [];
    const pool = createComputePool({ workers: [w], publicSeed: "0xseed", verification: { policy: "full" }, reexecute, store, onEvent: (e) => events.push(e) });
    const { job: j, sequences } = job("honest");
    const out = await pool.train(j, sequences);
    const reference = await reexecute(j, sequences);
    expect(out).toMatchObject({ jobId: j.jobId, computeId: 0, verified: true, adapterHash: reference.adapterHash });
    expect(Buffer.from(out.adapterBytes).equals(Buffer.from(reference.adapterBytes))).toBe(true);
    expect(pool.credits()).toEqual([{ computeId: 0, publicKey: ed25519PublicKeyOf(KEYS[0]), acceptedJobs: 1, verifiedJobs: 1, trainedTokens: expectedTrainedTokens(j.hyper, sequences), faulty: false, duplicateJobs: 0, duplicateTokens: 0 }]);
    expect(pool.record().jobs[0]).toMatchObject({ audited: true, reexecution: { adapterHash: reference.adapterHash }, attempts: [{ computeId: 0, outcome: "accepted", verified: true }] });
    expect(events.map((e) => e.type)).toEqual(["job-assigned", "job-reexecuted", "result-accepted"]);

    // With no distinct worker to duplicate on, the coordinator's re-execution verified it.
    // The same job again is answered from the pool's record, not trained a second time.
    const again = await pool.train(j, sequences);
    expect(again.adapterRoot).toBe(out.adapterRoot);
    expect(w.calls).toBe(1);
  });

  it("catches a worker returning a perturbed adapter under full verification: outvoted by the duplicate and the coordinator, no credit, marked faulty", async () => {
    const cheater = perturbing(1);
    const good = counting(honest(0));
    const workers = [good, cheater];
    const pool = createComputePool({ workers, publicSeed: "0xfull", verification: { policy: "full" }, reexecute, store });
    const first = jobFirstFor(1, workers, "0xfull", "cheat");
    const out = await pool.train(first.job, first.sequences);
    const reference = await reexecute(first.job, first.sequences);
    expect(cheater.calls).toBe(1);
    expect(out).toMatchObject({ computeId: 0, verified: true, adapterHash: reference.adapterHash });
    const rec = pool.record();
    expect(rec.jobs[0].attempts).toMatchObject([
      { computeId: 1, outcome: "rejected", reason: "verification-mismatch", role: "primary" },
      { computeId: 0, outcome: "accepted", role: "duplicate", verified: true },
    ]);
    // Two workers disagreed and no third is left: the coordinator's own run settled it.
    expect(rec.jobs[0].reexecution).toEqual({ adapterHash: reference.adapterHash });
    expect(rec.workers.find((w) => w.computeId === 1)).toMatchObject({ status: "faulty", fault: { jobId: first.job.jobId, reason: "verification-mismatch" } });

    // Later jobs skip the cheater, even where it is ranked first.
    const second = jobFirstFor(1, workers, "0xfull", "later");
    await pool.train(second.job, second.sequences);
    expect(cheater.calls).toBe(1);
    const credits = pool.credits();
    expect(credits.find((c) => c.computeId === 1)).toMatchObject({ trainedTokens: 0, acceptedJobs: 0, faulty: true });
    expect(credits.find((c) => c.computeId === 0)!.trainedTokens).toBe(
      expectedTrainedTokens(first.job.hyper, first.sequences) + expectedTrainedTokens(second.job.hyper, second.sequences),
    );
  });

  it("falls back to the coordinator's own run when the only worker cheats", async () => {
    const pool = createComputePool({ workers: [perturbing(2)], publicSeed: "0xalone", verification: { policy: "full" }, reexecute, store });
    const { job: j, sequences } = job("alone");
    const out = await pool.train(j, sequences);
    expect(out).toMatchObject({ computeId: null, verified: true, adapterHash: (await reexecute(j, sequences)).adapterHash });
    expect(await store.get(out.adapterRoot)).toEqual(out.adapterBytes);
    expect(pool.record().jobs[0].outcome).toMatchObject({ by: "coordinator", reason: "no-worker-left" });
    expect(pool.credits()[0].trainedTokens).toBe(0);
  });

  it("under none accepts a validly signed result unverified (no re-execution is what none means)", async () => {
    const pool = createComputePool({ workers: [perturbing(1)], publicSeed: "0xnone", verification: { policy: "none" }, reexecute, store });
    const { job: j, sequences } = job("none");
    const out = await pool.train(j, sequences);
    expect(out).toMatchObject({ computeId: 1, verified: false });
    expect(out.adapterHash).not.toBe((await reexecute(j, sequences)).adapterHash);
    expect(pool.credits()[0]).toMatchObject({ acceptedJobs: 1, verifiedJobs: 0, faulty: false });
  });

  it("under sample, a cheater caught on an audited job forfeits the credit of its unaudited jobs, which are flagged suspect", async () => {
    const cheater = perturbing(1);
    const workers = [honest(0), cheater];
    const verification = { policy: "sample", fraction: 0.5 } as const;
    const pool = createComputePool({ workers, publicSeed: "0xsampled", verification, reexecute, store });
    const pick = (audited: boolean, prefix: string) => {
      for (let i = 0; ; i++) {
        const j = jobFirstFor(1, workers, "0xsampled", `${prefix}-${i}`);
        if (isJobAudited({ jobId: j.job.jobId, publicSeed: "0xsampled", verification }) === audited) return j;
      }
    };
    const unaudited = pick(false, "slips");
    const audited = pick(true, "caught");
    expect(await pool.train(unaudited.job, unaudited.sequences)).toMatchObject({ computeId: 1, verified: false });
    expect(pool.credits().find((c) => c.computeId === 1)!.trainedTokens).toBeGreaterThan(0);
    expect(await pool.train(audited.job, audited.sequences)).toMatchObject({ computeId: 0, verified: true });
    expect(pool.credits().find((c) => c.computeId === 1)).toMatchObject({ trainedTokens: 0, acceptedJobs: 0, faulty: true });
    const rec = pool.record();
    expect(rec.jobs.find((r) => r.job.jobId === unaudited.job.jobId)!.suspect).toBe(true);
    expect(rec.jobs.find((r) => r.job.jobId === audited.job.jobId)!.suspect).toBeUndefined();
  });

  it("rejects a claim of more trained tokens than the job trains, whatever the policy", async () => {
    const inner = honest(3);
    const inflating: ComputeWorker = {
      computeId: 3,
      publicKey: inner.publicKey,
      run: async (j, s) => {
        const r = await inner.run(j, s);
        return signJobResult({ result: { ...r, trainedTokens: r.trainedTokens * 10 }, ed25519PrivateKey: KEYS[3] });
      },
    };
    const pool = createComputePool({ workers: [inflating], publicSeed: "0xinflate", verification: { policy: "none" }, reexecute, store });
    const { job: j, sequences } = job("inflate");
    const out = await pool.train(j, sequences);
    expect(out.computeId).toBeNull();
    expect(pool.record().jobs[0].attempts[0]).toMatchObject({ outcome: "rejected", reason: "trained-tokens-mismatch" });
  });

  it("rejects a result naming an adapter the store does not hold, or signed by a key other than the registered one", async () => {
    const inner = honest(0);
    const missing: ComputeWorker = {
      computeId: 0,
      publicKey: inner.publicKey,
      run: async (j, s) => signJobResult({ result: { ...(await inner.run(j, s)), adapterRoot: `0x${"ee".repeat(32)}` }, ed25519PrivateKey: KEYS[0] }),
    };
    const impostor: ComputeWorker = { computeId: 1, publicKey: ed25519PublicKeyOf(KEYS[1]), run: (j, s) => honest(2).run(j, s).then((r) => ({ ...r, computeId: 1 })) };
    const pool = createComputePool({ workers: [missing, impostor], publicSeed: "0xchecks", verification: { policy: "none" }, reexecute, store });
    const { job: j, sequences } = job("checks");
    const out = await pool.train(j, sequences);
    expect(out.computeId).toBeNull();
    const reasons = pool.record().jobs[0].attempts.map((a) => ("reason" in a ? a.reason : a.outcome)).sort();
    expect(reasons).toEqual(["adapter-missing", "public-key-mismatch"]);
  });

  it("routes around a worker that throws and one that withholds past the timeout, without marking them faulty", async () => {
    let sawAbort = false;
    const thrower: ComputeWorker = { computeId: 1, publicKey: ed25519PublicKeyOf(KEYS[1]), run: async () => Promise.reject(new Error("GPU fell off the bus")) };
    const withholder: ComputeWorker = {
      computeId: 2,
      publicKey: ed25519PublicKeyOf(KEYS[2]),
      run: (_j, _s, options) =>
        new Promise((_, reject) =>
          options?.signal?.addEventListener("abort", () => {
            sawAbort = true;
            reject(options.signal!.reason);
          }),
        ),
    };
    const good = honest(0);
    const workers = [good, thrower, withholder];
    const pool = createComputePool({ workers, publicSeed: "0xflaky", verification: { policy: "full" }, reexecute, store, workerTimeoutMs: 2_000 });
    // A job that both flaky workers are ranked ahead of the honest one for.
    let picked;
    for (let i = 0; !picked; i++) {
      const j = job(`flaky-${i}`);
      if (rankWorkers({ jobId: j.job.jobId, publicSeed: "0xflaky", workers })[2].computeId === 0) picked = j;
    }
    const out = await pool.train(picked.job, picked.sequences);
    expect(out).toMatchObject({ computeId: 0, verified: true });
    const attempts = pool.record().jobs[0].attempts;
    expect(attempts.map((a) => [a.computeId, a.outcome]).sort()).toEqual([
      [0, "accepted"],
      [1, "failed"],
      [2, "timed-out"],
    ]);
    expect(attempts.find((a) => a.computeId === 1)).toMatchObject({ detail: "GPU fell off the bus" });
    expect(sawAbort).toBe(true);
    expect(pool.record().workers.map((w) => [w.computeId, w.status, w.failures])).toEqual([
      [0, "active", 0],
      [1, "active", 1],
      [2, "active", 1],
    ]);
  });

  it("duplicates exactly the jobs isJobAudited samples under sample verification, a share within 4σ of the fraction", async () => {
    const fraction = 0.3;
    let reexecutions = 0;
    const countingReexecute: Reexecute = (j, s, o) => (reexecutions++, reexecute(j, s, o));
    const pair = [counting(honest(0)), counting(honest(1))];
    const pool = createComputePool({ workers: pair, publicSeed: "0xsample", verification: { policy: "sample", fraction }, reexecute: countingReexecute, store });
    const n = 120;
    let expectedAudits = 0;
    for (let i = 0; i < n; i++) {
      const { hashes, sequences } = exampleSequences(`sample-${i}`, 2);
      const j = planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: { ...hyper(i), steps: 1 }, sequences });
      const out = await pool.train(j, sequences);
      const audited = isJobAudited({ jobId: j.jobId, publicSeed: "0xsample", verification: { policy: "sample", fraction } });
      expect(out.verified).toBe(audited);
      if (audited) expectedAudits++;
    }
    // Audited jobs ran on both workers (each the other's duplicate); the coordinator never had to.
    expect(pair[0].calls + pair[1].calls).toBe(n + expectedAudits);
    expect(reexecutions).toBe(0);
    // Binomial(120, 0.3): σ of the share ≈ 0.042; 4σ ≈ 0.167.
    expect(Math.abs(expectedAudits / n - fraction)).toBeLessThan(4 * Math.sqrt((fraction * (1 - fraction)) / n));
    const credits = pool.credits();
    expect(credits.reduce((a, c) => a + c.acceptedJobs, 0)).toBe(n);
    expect(credits.reduce((a, c) => a + c.verifiedJobs, 0)).toBe(expectedAudits);
    expect(() => JSON.stringify(pool.record())).not.toThrow();
  });

  it("resumes from its record after a restart: finished jobs are not dispatched again and a cheater stays faulty", async () => {
    const workers = () => [counting(honest(0)), perturbing(1)] as const;
    const first = workers();
    const pool = createComputePool({ workers: [...first], publicSeed: "0xrestart", verification: { policy: "full" }, reexecute, store });
    const a = jobFirstFor(1, [...first], "0xrestart", "restart-a");
    const b = job("restart-b");
    const outA = await pool.train(a.job, a.sequences);
    const outB = await pool.train(b.job, b.sequences);
    const saved = JSON.parse(JSON.stringify(pool.record())) as ReturnType<typeof pool.record>;

    const [good, cheater] = workers();
    const resumed = createComputePool({ workers: [good, cheater], publicSeed: "0xrestart", verification: { policy: "full" }, reexecute, store, resumeFrom: saved });
    expect((await resumed.train(a.job, a.sequences)).adapterRoot).toBe(outA.adapterRoot);
    expect((await resumed.train(b.job, b.sequences)).adapterRoot).toBe(outB.adapterRoot);
    const c = jobFirstFor(1, [good, cheater], "0xrestart", "restart-c");
    await resumed.train(c.job, c.sequences);
    expect([good.calls, cheater.calls]).toEqual([1, 0]);
    expect(resumed.credits()).toEqual(
      pool.credits().map((cr) => (cr.computeId === 0 ? { ...cr, acceptedJobs: 3, verifiedJobs: 3, trainedTokens: cr.trainedTokens + expectedTrainedTokens(c.job.hyper, c.sequences) } : cr)),
    );
    expect(() => createComputePool({ workers: [good], publicSeed: "0xother", verification: { policy: "full" }, reexecute, store, resumeFrom: saved })).toThrow(/another public seed/);
  });

  it("stops waiting when the caller aborts, even for a worker that ignores its signal, without blaming the worker", async () => {
    const deaf: ComputeWorker = { computeId: 1, publicKey: ed25519PublicKeyOf(KEYS[1]), run: () => new Promise(() => undefined) };
    const pool = createComputePool({ workers: [deaf], publicSeed: "0xabort", verification: { policy: "none" }, reexecute, store });
    const { job: j, sequences } = job("abort");
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("coordinator stopping")), 100);
    await expect(pool.train(j, sequences, { signal: controller.signal })).rejects.toThrow("coordinator stopping");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pool.record()).toMatchObject({ jobs: [], workers: [{ computeId: 1, status: "active", failures: 0 }] });
  });

  it("refuses a job edited after planning before any worker sees it", async () => {
    const w = counting(honest(0));
    const pool = createComputePool({ workers: [w], publicSeed: "s", verification: { policy: "none" }, reexecute, store });
    const { job: j, sequences } = job("edited");
    await expect(pool.train({ ...j, hyper: { ...j.hyper, steps: 99 } }, sequences)).rejects.toThrow(/does not match its fields/);
    expect(w.calls).toBe(0);
  });
});
