import { rm } from "node:fs/promises";
import { join } from "node:path";
import { jetstream, jetstreamManager, AckPolicy, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComputePool } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import type { Reexecute } from "../../../coordinator/src/compute/createReexecutor.js";
import { WorkerJobFailedError, WorkerTimeoutError } from "../../../coordinator/src/compute/errors.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { createNatsWorkerClient } from "../../../coordinator/src/compute/nats/createNatsWorkerClient.js";
import { NatsTransportError } from "../../../coordinator/src/compute/nats/errors.js";
import { decodeResultMessage, encodeNatsMessage, NATS_JOB_KIND, NATS_RESULT_KIND } from "../../../coordinator/src/compute/nats/natsMessages.js";
import { sealJobBody } from "../../../coordinator/src/compute/sealJobBody.js";
import { natsNames, resultMsgId, workerInboxPrefix, workerNatsUser } from "../../../coordinator/src/compute/nats/natsNames.js";
import { provisionNatsWorker } from "../../../coordinator/src/compute/nats/provisionNatsWorker.js";
import { runNatsWorker } from "../../../coordinator/src/compute/nats/runNatsWorker.js";
import { startNatsServer, type NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import type { ComputeWorker, TrainingJobResult } from "../../../coordinator/src/compute/types.js";
import { verifyJobResult } from "../../../coordinator/src/compute/verifyJobResult.js";
import type { LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";
import { COORDINATOR, connectCoordinator, startNatsTestbed, spawnNatsWorker, waitFor, workerIdentity, type SpawnedWorker } from "./fixtures/natsFixtures.js";

const model = tinyBase("nats");
const W = [0, 1, 2, 3].map(workerIdentity);
const users = [COORDINATOR, ...W.map((w) => w.user)];
let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let basePath: string;
let reexecute: Reexecute;
let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;
const spawned: SpawnedWorker[] = [];
const connections: NatsConnection[] = [];

beforeAll(async () => {
  ({ dir, store, baseModelRoot, basePath, reexecute, server, nc, jsm } = await startNatsTestbed({ prefix: "compute-nats-", model, users }));
});
afterAll(async () => {
  for (const w of spawned) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  for (const c of [...connections, nc]) if (c && !c.isClosed()) await c.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function job(seed: string, steps = 3) {
  const { hashes, sequences } = exampleSequences(seed, 4);
  return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: { ...hyper(seed), steps }, sequences }), sequences };
}

function honest(i: number, computeId = i): ComputeWorker & { calls: number } {
  const inner = createInProcessWorker({ computeId, ed25519PrivateKey: W[i].privateKey, model, baseModelRoot, store });
  const w = { computeId, publicKey: inner.publicKey, calls: 0, run: (...a: Parameters<ComputeWorker["run"]>) => (w.calls++, inner.run(...a)) };
  return w;
}

async function workerConnection(i: number, reconnectTimeWaitMs?: number): Promise<NatsConnection> {
  const { nc: c } = await connectNatsWorker({ url: server.url, publicKey: W[i].publicKey, token: W[i].token, ...(reconnectTimeWaitMs ? { reconnectTimeWaitMs } : {}) });
  connections.push(c);
  return c;
}

async function spawnWorker(i: number, extra: string[] = [], url = server.url): Promise<SpawnedWorker> {
  const w = await spawnNatsWorker({ dir, url, index: i, storeDir: join(dir, "store"), basePath, extra });
  spawned.push(w);
  return w;
}

/** Every result message stored for (worker, job), decoded. */
async function storedResult(i: number, jobId: Hex) {
  const names = natsNames(FORGE, W[i].publicKey);
  const msg = await jsm.direct.getMessage(names.resultsStream, { last_by_subj: names.resultSubject(jobId) });
  return msg ? decodeResultMessage(msg.data) : undefined;
}

async function jobsPublished(): Promise<number> {
  return (await jsm.streams.info(natsNames(FORGE, W[0].publicKey).jobsStream)).state.last_seq;
}

/** Whether the jobs stream holds (worker i, job): queued, or delivered and not yet acked. */
async function isQueued(i: number, jobId: Hex): Promise<boolean> {
  const names = natsNames(FORGE, W[i].publicKey);
  return (await jsm.streams.getMessage(names.jobsStream, { last_by_subj: names.jobSubject(jobId) })) !== null;
}

describe("startNatsServer", () => {
  it("startNatsServer_whenTheBinaryIsMissing_failsWithTheInstallHint", async () => {
    await expect(startNatsServer({ dir: join(dir, "missing"), users, binary: "nats-server-not-installed-here" })).rejects.toThrow(/install nats-server \(apt-get install nats-server\)/);
  });
});

describe("NATS transport", () => {
  it("runs a job end to end through a spawned worker process (--nats), accepted under full verification, and reuses its stored result without queueing the job again", async () => {
    const worker = await spawnWorker(0, ["--once"]);
    const client = createNatsWorkerClient({ nc, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 90_000, pollIntervalMs: 200 });
    const pool = createComputePool({ workers: [client], publicSeed: "0xnats", verification: { policy: "full" }, reexecute, store });
    const { job: j, sequences } = job("e2e");
    const published = await jobsPublished().catch(() => 0);
    const out = await pool.train(j, sequences);
    expect(out).toMatchObject({ computeId: 0, verified: true, adapterHash: (await reexecute(j, sequences)).adapterHash });
    expect(await worker.exited, worker.stderr()).toBe(0);

    const stored = await storedResult(0, j.jobId);
    expect(stored && "result" in stored && verifyJobResult({ result: stored.result, publicKey: W[0].publicKey })).toEqual({ valid: true });
    // Acked after the result was published: the work queue no longer holds it.
    expect(await jobsPublished()).toBe(published + 1);
    expect(await isQueued(0, j.jobId)).toBe(false);

    // Idempotent by (job, worker): a fresh client returns the stored result; nothing is published, no worker runs.
    const again = await createNatsWorkerClient({ nc, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 1_000 }).run(j, sequences);
    expect(again).toEqual((stored as { result: TrainingJobResult }).result);
    expect(await jobsPublished()).toBe(published + 1);
  });

  it("times out when no worker answers, and withdraws the job it published from the stream", async () => {
    const client = createNatsWorkerClient({ nc, computeId: 3, publicKey: W[3].publicKey, timeoutMs: 400, pollIntervalMs: 50 });
    const { job: j, sequences } = job("nobody");
    const before = await jobsPublished().catch(() => 0);
    await expect(client.run(j, sequences)).rejects.toBeInstanceOf(WorkerTimeoutError);
    expect(await jobsPublished()).toBe(before + 1);
    expect(await isQueued(3, j.jobId)).toBe(false);
  });

  it("a job the worker cannot run (sequences not the job's) comes back as WorkerJobFailedError; the error is removed so the next try runs the job", async () => {
    const wnc = await workerConnection(1);
    const worker = honest(1);
    const controller = new AbortController();
    const loop = runNatsWorker({ nc: wnc, forge: FORGE, publicKey: W[1].publicKey, ed25519PrivateKey: W[1].privateKey, workerFor: () => worker, signal: controller.signal, pullExpiresMs: 1_000 });
    const client = createNatsWorkerClient({ nc, computeId: 1, publicKey: W[1].publicKey, timeoutMs: 60_000, pollIntervalMs: 100 });
    const { job: j, sequences } = job("bad-then-good");
    const error = await client.run(j, sequences.slice(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerJobFailedError);
    expect((error as Error).message).toMatch(/3 sequences were given/);
    expect(await storedResult(1, j.jobId)).toBeUndefined();
    const ok = await client.run(j, sequences);
    expect(ok).toMatchObject({ jobId: j.jobId, computeId: 1, adapterHash: (await reexecute(j, sequences)).adapterHash });
    controller.abort();
    expect(await loop).toEqual({ processed: 2, reused: 0 });
    expect(worker.calls).toBe(2);
  });

  it("a redelivered job whose result is already published is acked without training, and the same result published again is stored once", async () => {
    const { job: j, sequences } = job("already-answered");
    const names = await provisionNatsWorker({ jsm, forge: FORGE, workerPublicKey: W[1].publicKey });
    const wnc = await workerConnection(1);
    // What a worker killed between publishing its result and acking the job left behind.
    const result = await honest(1).run(j, sequences);
    const payload = encodeNatsMessage({ kind: NATS_RESULT_KIND, result });
    const first = await jetstream(wnc).publish(names.resultSubject(j.jobId), payload, { msgID: resultMsgId(j.jobId, W[1].publicKey) });
    const again = await jetstream(wnc).publish(names.resultSubject(j.jobId), payload, { msgID: resultMsgId(j.jobId, W[1].publicKey) });
    expect([first.duplicate, again.duplicate, again.seq]).toEqual([false, true, first.seq]);
    const sealedBody = await sealJobBody({ job: j, sequences }, { forge: FORGE, jobId: j.jobId, workerPublicKey: W[1].publicKey });
    await jetstream(nc).publish(names.jobSubject(j.jobId), encodeNatsMessage({ kind: NATS_JOB_KIND, computeId: 1, workerPublicKey: W[1].publicKey, jobId: j.jobId, sealedBody }));

    const worker = honest(1);
    const controller = new AbortController();
    const loop = runNatsWorker({ nc: wnc, forge: FORGE, publicKey: W[1].publicKey, ed25519PrivateKey: W[1].privateKey, workerFor: () => worker, signal: controller.signal, pullExpiresMs: 1_000 });
    await waitFor(async () => !(await isQueued(1, j.jobId)), 30_000, "job acked");
    controller.abort();
    expect(await loop).toEqual({ processed: 0, reused: 1 });
    expect(worker.calls).toBe(0);
    expect(await storedResult(1, j.jobId)).toEqual({ kind: NATS_RESULT_KIND, result });
  });

  it("confines a worker to its own consumer and subjects: no other worker's jobs or results, no publishing as another key, no consumers of its own", async () => {
    await provisionNatsWorker({ jsm, forge: FORGE, workerPublicKey: W[2].publicKey });
    const names1 = natsNames(FORGE, W[1].publicKey);
    const names2 = natsNames(FORGE, W[2].publicKey);
    const { job: j } = job("isolation");
    await jetstream(nc).publish(names2.jobSubject(j.jobId), "a job for worker 2");

    const wnc = await workerConnection(1);
    const js = jetstream(wnc);
    const wjsm = await jetstreamManager(wnc, { checkAPI: false });
    await expect(js.consumers.get(names2.jobsStream, names2.consumer)).rejects.toThrow(/Permissions Violation/);
    await expect(wjsm.streams.getMessage(names2.jobsStream, { last_by_subj: names2.jobSubject(j.jobId) })).rejects.toThrow(/Permissions Violation/);
    await expect(wjsm.direct.getMessage(names2.resultsStream, { last_by_subj: names2.resultSubject(j.jobId) })).rejects.toThrow(/Permissions Violation/);
    await expect(js.publish(names2.resultSubject(j.jobId), "forged")).rejects.toThrow(/Permissions Violation/);
    await expect(wjsm.consumers.add(names2.jobsStream, { durable_name: "spy", filter_subject: "ingot.jobs.>", ack_policy: AckPolicy.None })).rejects.toThrow(/Permissions Violation/);
    // A core subscription to the job subjects is refused by the server (reported on the subscription).
    const sub = wnc.subscribe("ingot.jobs.>");
    const subError = await sub.closed;
    expect(String(subError)).toMatch(/Permissions Violation for Subscription/);
    // Its own consumer is bound fine, and holds nothing of worker 2's.
    expect(await (await js.consumers.get(names1.jobsStream, names1.consumer)).next({ expires: 1_000 })).toBeNull();
    // The job stayed for worker 2.
    expect((await jsm.streams.getMessage(names2.jobsStream, { last_by_subj: names2.jobSubject(j.jobId) }))?.string()).toBe("a job for worker 2");
    await jsm.streams.purge(names2.jobsStream, { filter: names2.jobSubject(j.jobId) });
  });

  it("revoking a worker's token (user removed, config reloaded) closes its open connection and refuses new ones", async () => {
    const wnc = await workerConnection(3, 100);
    expect(wnc.isClosed()).toBe(false);
    await server.reload(users.filter((u) => u !== W[3].user));
    try {
      expect(await wnc.closed()).toMatchObject({ name: "AuthorizationError" });
      const refused = await connectNatsWorker({ url: server.url, publicKey: W[3].publicKey, token: W[3].token }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(NatsTransportError);
      expect((refused as Error).cause).toMatchObject({ name: "AuthorizationError" });
      // The other workers are untouched.
      expect((await workerConnection(1)).isClosed()).toBe(false);
    } finally {
      await server.reload(users);
    }
    // Reinstated: its token works again.
    expect((await workerConnection(3)).isClosed()).toBe(false);
  });

  it("redelivers the job of a worker process killed (SIGKILL) mid-training to its restarted process: queued once, trained to the re-executed adapter, one result", async () => {
    // The consumer of worker 2 may exist already (isolation test) with the default ack_wait: make it short for this test.
    await provisionNatsWorker({ jsm, forge: FORGE, workerPublicKey: W[2].publicKey });
    const names = natsNames(FORGE, W[2].publicKey);
    await jsm.consumers.update(names.jobsStream, names.consumer, { ack_wait: 1_500 * 1e6 });
    const client = createNatsWorkerClient({ nc, computeId: 2, publicKey: W[2].publicKey, timeoutMs: 120_000, pollIntervalMs: 200 });
    const { job: j, sequences } = job("worker-restart", 5_000);
    const before = await jobsPublished();
    const first = await spawnWorker(2);
    const running = client.run(j, sequences);
    await first.logged(/"msg":"training"/);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.stderr()).not.toMatch(/result published; job acked/);

    const second = await spawnWorker(2, ["--once"]);
    const result = await running;
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stderr()).toMatch(/"delivery":2/);
    expect(result.adapterHash).toBe((await reexecute(j, sequences)).adapterHash);
    expect(await jobsPublished()).toBe(before + 1);
    expect(await isQueued(2, j.jobId)).toBe(false);
    expect(await storedResult(2, j.jobId)).toEqual({ kind: expect.any(String), result });
  });

  it("survives a coordinator restart mid-flow: the restarted coordinator finds the queued job's result without queueing it again, and the worker trains it once", async () => {
    const c1 = await connectCoordinator(server.url);
    const { job: j, sequences } = job("coordinator-restart");
    const before = await jobsPublished();
    const first = createNatsWorkerClient({ nc: c1, computeId: 1, publicKey: W[1].publicKey, timeoutMs: 60_000, pollIntervalMs: 100 });
    const pending = first.run(j, sequences).catch((e: unknown) => e);
    await waitFor(async () => (await jobsPublished()) === before + 1, 30_000, "job queued");
    await c1.close(); // the coordinator goes away; its job stays queued
    expect(await pending).toBeInstanceOf(Error);
    expect(await isQueued(1, j.jobId)).toBe(true);

    const wnc = await workerConnection(1);
    const worker = honest(1);
    const controller = new AbortController();
    const loop = runNatsWorker({ nc: wnc, forge: FORGE, publicKey: W[1].publicKey, ed25519PrivateKey: W[1].privateKey, workerFor: () => worker, signal: controller.signal, pullExpiresMs: 1_000 });
    const c2 = await connectCoordinator(server.url);
    connections.push(c2);
    const restarted = createNatsWorkerClient({ nc: c2, computeId: 1, publicKey: W[1].publicKey, timeoutMs: 60_000, pollIntervalMs: 100 });
    const result = await restarted.run(j, sequences);
    controller.abort();
    await loop;
    expect(result.adapterHash).toBe((await reexecute(j, sequences)).adapterHash);
    expect(worker.calls).toBe(1);
    expect(await jobsPublished()).toBe(before + 1);
  });

  it("survives a nats-server restart: a queued job and the worker's consumer come back from the file store, and the waiting client gets the result", async () => {
    const { job: j, sequences } = job("server-restart");
    const client = createNatsWorkerClient({ nc, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 120_000, pollIntervalMs: 200 });
    const before = await jobsPublished();
    const running = client.run(j, sequences);
    await waitFor(async () => (await jobsPublished()) === before + 1, 30_000, "job queued");
    await server.stop();
    server = await startNatsServer({ dir: join(dir, "nats"), port: server.port, users });
    const worker = await spawnWorker(0, ["--once"]);
    const result = await running;
    expect(await worker.exited, worker.stderr()).toBe(0);
    expect(result.adapterHash).toBe((await reexecute(j, sequences)).adapterHash);
    expect(await jobsPublished()).toBe(before + 1);
  });

  it("a worker connection needs the worker's own user and inbox prefix: the default inbox is refused", async () => {
    const plain = await connect({ servers: server.url, user: workerNatsUser(W[1].publicKey), pass: W[1].token });
    connections.push(plain);
    const names = natsNames(FORGE, W[1].publicKey);
    await expect(jetstream(plain).consumers.get(names.jobsStream, names.consumer)).rejects.toThrow();
    expect(workerInboxPrefix(W[1].publicKey)).toBe(`_INBOX.${names.consumer}`);
  });
});
