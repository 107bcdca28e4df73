import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rankWorkers } from "../../../coordinator/src/compute/assignWorker.js";
import { createComputePool, type TrainJobReturnType } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import type { Reexecute } from "../../../coordinator/src/compute/createReexecutor.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { createNatsWorkerClient } from "../../../coordinator/src/compute/nats/createNatsWorkerClient.js";
import { natsNames } from "../../../coordinator/src/compute/nats/natsNames.js";
import { runNatsWorker } from "../../../coordinator/src/compute/nats/runNatsWorker.js";
import type { NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { signJobResult } from "../../../coordinator/src/compute/signJobResult.js";
import type { ComputeWorker, ScoredSequence, TrainingJob } from "../../../coordinator/src/compute/types.js";
import { TrainAbortedError } from "../../../coordinator/src/eval/train/errors.js";
import { ggufToLoraAdapter } from "../../../coordinator/src/eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../../../coordinator/src/eval/model/loraAdapterToGguf.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import type { LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";
import { COORDINATOR, connectCoordinator, startNatsTestbed, spawnNatsWorker, workerIdentity, type SpawnedWorker } from "./fixtures/natsFixtures.js";

const model = tinyBase("nats-pool");
const W = [0, 1, 2, 3, 4, 5].map(workerIdentity);
const SEED = "0xnats-pool";
let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let basePath: string;
let reexecute: Reexecute;
let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;
const spawned: SpawnedWorker[] = [];
const loops: { controller: AbortController; done: Promise<unknown>; nc: NatsConnection }[] = [];

beforeAll(async () => {
  ({ dir, store, baseModelRoot, basePath, reexecute, server, nc, jsm } = await startNatsTestbed({ prefix: "compute-nats-pool-", model, users: [COORDINATOR, ...W.map((w) => w.user)] }));
});
afterAll(async () => {
  for (const w of spawned) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  for (const l of loops) l.controller.abort();
  await Promise.allSettled(loops.map((l) => l.done));
  for (const c of [...loops.map((l) => l.nc), nc]) if (c && !c.isClosed()) await c.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function job(seed: string, steps = 3): { job: TrainingJob; sequences: ScoredSequence[] } {
  const { hashes, sequences } = exampleSequences(seed, 4);
  return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: { ...hyper(seed), steps }, sequences }), sequences };
}

/** A job whose first-ranked worker (under SEED, among `workers`) is `computeId`. */
function jobFirstFor(computeId: number, workers: { computeId: number }[], prefix: string, steps?: number) {
  for (let i = 0; ; i++) {
    const j = job(`${prefix}-${i}`, steps);
    if (rankWorkers({ jobId: j.job.jobId, publicSeed: SEED, workers })[0].computeId === computeId) return j;
  }
}

function honest(i: number): ComputeWorker {
  return createInProcessWorker({ computeId: i, ed25519PrivateKey: W[i].privateKey, model, baseModelRoot, store });
}

/** Trains honestly, then nudges one adapter value and stores and signs that instead: every check but re-execution passes. */
function perturbing(i: number): ComputeWorker {
  const inner = honest(i);
  return {
    computeId: i,
    publicKey: inner.publicKey,
    async run(j, s) {
      const r = await inner.run(j, s);
      const adapter = ggufToLoraAdapter(await store.get(r.adapterRoot));
      adapter.pairs[0].b[0] += 1e-3;
      const { root } = await store.put(loraAdapterToGguf(adapter, { baseModelName: j.baseModelRoot, name: `ingotforge-job-${j.jobId.slice(2)}` }));
      return signJobResult({ result: { ...r, adapterRoot: root, adapterHash: `0x${hashAdapter(adapter)}` }, ed25519PrivateKey: W[i].privateKey });
    },
  };
}

/** Takes its jobs and never answers (until stopped). */
function withholding(i: number): ComputeWorker & { taken: number } {
  const w = {
    computeId: i,
    publicKey: W[i].publicKey,
    taken: 0,
    run: (_j: TrainingJob, _s: readonly ScoredSequence[], options?: { signal?: AbortSignal }) =>
      new Promise<never>((_, reject) => {
        w.taken++;
        options?.signal?.addEventListener("abort", () => reject(new TrainAbortedError(0, undefined)), { once: true });
      }),
  };
  return w;
}

/** runNatsWorker in this process on the worker's own connection (its own user, token and inbox). */
async function serve(i: number, worker: ComputeWorker): Promise<void> {
  const { nc: wnc } = await connectNatsWorker({ url: server.url, publicKey: W[i].publicKey, token: W[i].token });
  const controller = new AbortController();
  const done = runNatsWorker({ nc: wnc, forge: FORGE, publicKey: W[i].publicKey, ed25519PrivateKey: W[i].privateKey, workerFor: () => worker, signal: controller.signal, pullExpiresMs: 1_000 });
  loops.push({ controller, done, nc: wnc });
}

function client(i: number): ComputeWorker {
  return createNatsWorkerClient({ nc, computeId: i, publicKey: W[i].publicKey, timeoutMs: 120_000, pollIntervalMs: 200 });
}

describe("compute pool over NATS", () => {
  it("a pool of 5 NATS workers, one perturbing its adapters and one withholding, yields the same adapters as 5 honest workers and catches the cheater under full verification", async () => {
    const ids = [0, 1, 2, 3, 4].map((computeId) => ({ computeId }));
    // One job first-ranked for each worker, so the cheater (3) and the withholder (4) each get one.
    const jobs = [0, 1, 2, 3, 4].map((id) => jobFirstFor(id, ids, `pool5-${id}`));

    const reference = createComputePool({ workers: [0, 1, 2, 3, 4].map(honest), publicSeed: SEED, verification: { policy: "full" }, reexecute, store });
    const expected = await Promise.all(jobs.map(({ job: j, sequences }) => reference.train(j, sequences)));

    const holder = withholding(4);
    for (const i of [0, 1, 2]) await serve(i, honest(i));
    await serve(3, perturbing(3));
    await serve(4, holder);
    const pool = createComputePool({ workers: [0, 1, 2, 3, 4].map(client), publicSeed: SEED, verification: { policy: "full" }, reexecute, store, workerTimeoutMs: 8_000 });
    const got = await Promise.all(jobs.map(({ job: j, sequences }) => pool.train(j, sequences)));

    const adapters = (outs: TrainJobReturnType[]) => outs.map((o) => ({ jobId: o.jobId, adapterRoot: o.adapterRoot, adapterHash: o.adapterHash, trainedTokens: o.trainedTokens, verified: o.verified }));
    expect(adapters(got)).toEqual(adapters(expected));
    got.forEach((o, k) => expect(Buffer.from(o.adapterBytes).equals(Buffer.from(expected[k].adapterBytes))).toBe(true));
    // Every job was done by an honest worker.
    expect(got.every((o) => o.computeId !== null && [0, 1, 2].includes(o.computeId))).toBe(true);

    const record = pool.record();
    const byId = new Map(record.workers.map((w) => [w.computeId, w]));
    // Full verification duplicates each job on the next distinct worker: the cheater is outvoted,
    // on its own job or on the first job it was asked to verify (the jobs run concurrently).
    expect(byId.get(3)).toMatchObject({ status: "faulty", fault: { reason: "verification-mismatch" } });
    expect(jobs.map((j) => j.job.jobId)).toContain(byId.get(3)!.fault!.jobId);
    expect([0, 1, 2].map((i) => byId.get(i)!.status)).toEqual(["active", "active", "active"]);
    const withheld = record.jobs.find((r) => r.job.jobId === jobs[4].job.jobId)!;
    expect(withheld.attempts[0]).toMatchObject({ computeId: 4, outcome: "timed-out" });
    expect(withheld.attempts.at(-1)).toMatchObject({ outcome: "accepted" });
    expect(holder.taken).toBe(1);
    const credits = new Map(pool.credits().map((c) => [c.computeId, c]));
    expect(credits.get(3)).toMatchObject({ faulty: true, acceptedJobs: 0, trainedTokens: 0 });
    expect(credits.get(4)).toMatchObject({ acceptedJobs: 0 });
    // The withheld job was withdrawn from the stream when the pool gave up on worker 4.
    const names4 = natsNames(FORGE, W[4].publicKey);
    expect(await jsm.streams.getMessage(names4.jobsStream, { last_by_subj: names4.jobSubject(jobs[4].job.jobId) })).toBeNull();
  });

  it("a worker process killed (SIGKILL) mid-job is timed out and its job reassigned to the next worker in its ranking", async () => {
    const ids = [{ computeId: 5 }, { computeId: 0 }];
    const { job: j, sequences } = jobFirstFor(5, ids, "killed", 3_000);
    const victim = await spawnNatsWorker({ dir, url: server.url, index: 5, storeDir: join(dir, "store"), basePath });
    spawned.push(victim);
    if (loops.length === 0) await serve(0, honest(0));
    const pool = createComputePool({ workers: [client(5), client(0)], publicSeed: SEED, verification: { policy: "full" }, reexecute, store, workerTimeoutMs: 12_000 });
    const training = pool.train(j, sequences);
    await victim.logged(/"msg":"training"/);
    victim.child.kill("SIGKILL");
    await victim.exited;
    expect(victim.stderr()).not.toMatch(/result published; job acked/);

    const out = await training;
    expect(out).toMatchObject({ computeId: 0, verified: true, adapterHash: (await reexecute(j, sequences)).adapterHash });
    const rec = pool.record().jobs[0];
    expect(rec.attempts.map((a) => [a.computeId, a.outcome])).toEqual([
      [5, "timed-out"],
      [0, "accepted"],
    ]);
    const names5 = natsNames(FORGE, W[5].publicKey);
    expect(await jsm.streams.getMessage(names5.jobsStream, { last_by_subj: names5.jobSubject(j.jobId) })).toBeNull();
  });
});
