import { rm } from "node:fs/promises";
import { jetstream, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rankWorkers } from "../../../coordinator/src/compute/assignWorker.js";
import { createComputePool, type ComputePoolEvent } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import type { Reexecute } from "../../../coordinator/src/compute/createReexecutor.js";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { createNatsWorkerClient, type NatsClientEvent } from "../../../coordinator/src/compute/nats/createNatsWorkerClient.js";
import { decodeResultMessage, encodeNatsMessage, NATS_JOB_KIND, NATS_RESULT_KIND } from "../../../coordinator/src/compute/nats/natsMessages.js";
import { natsNames, resultMsgId } from "../../../coordinator/src/compute/nats/natsNames.js";
import { provisionNatsWorker } from "../../../coordinator/src/compute/nats/provisionNatsWorker.js";
import { runNatsWorker } from "../../../coordinator/src/compute/nats/runNatsWorker.js";
import type { NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { sealJobBody } from "../../../coordinator/src/compute/sealJobBody.js";
import { signJobResult } from "../../../coordinator/src/compute/signJobResult.js";
import type { ComputeWorker, ScoredSequence, TrainingJob, TrainingJobResult } from "../../../coordinator/src/compute/types.js";
import { verifyJobResult } from "../../../coordinator/src/compute/verifyJobResult.js";
import type { LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";
import { COORDINATOR, startNatsTestbed, waitFor, workerIdentity } from "./fixtures/natsFixtures.js";

// A thief who holds worker W0's transport credentials (its NATS token, its queue directory) can
// publish anything under W0's identity, but cannot sign with W0's Ed25519 key. A result that is
// not signed by W0's key over this job proves W0 did not send it: it must be dropped and reported
// as a compromised transport, never held against W0.

const model = tinyBase("stolen-token");
const W = [0, 1].map(workerIdentity);
const THIEF_KEY = `0x${"5a".repeat(32)}` as Hex;
let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let reexecute: Reexecute;
let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  ({ dir, store, baseModelRoot, reexecute, server, nc, jsm } = await startNatsTestbed({ prefix: "compute-stolen-token-", model, users: [COORDINATOR, ...W.map((w) => w.user)] }));
});
afterAll(async () => {
  for (const c of [...connections, nc]) if (c && !c.isClosed()) await c.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function job(seed: string): { job: TrainingJob; sequences: ScoredSequence[] } {
  const { hashes, sequences } = exampleSequences(seed, 4);
  return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: { ...hyper(seed), steps: 3 }, sequences }), sequences };
}

function honest(i: number): ComputeWorker {
  return createInProcessWorker({ computeId: i, ed25519PrivateKey: W[i].privateKey, model, baseModelRoot, store });
}

/** A job whose first-ranked worker (under `seed`) is `computeId`. */
function jobFirstFor(computeId: number, workers: { computeId: number }[], seed: string, prefix: string) {
  for (let i = 0; ; i++) {
    const j = job(`${prefix}-${i}`);
    if (rankWorkers({ jobId: j.job.jobId, publicSeed: seed, workers })[0].computeId === computeId) return j;
  }
}

/** What arrives under W0's identity from the thief: W0's honest result with the signature replaced. */
function forgedBy(tamper: (honestResult: TrainingJobResult) => TrainingJobResult): ComputeWorker {
  const inner = honest(0);
  return { computeId: 0, publicKey: inner.publicKey, run: async (j, s) => tamper(await inner.run(j, s)) };
}

describe("a result under a worker's identity that its key did not sign", () => {
  const thiefSigned = (r: TrainingJobResult): TrainingJobResult => ({
    ...signJobResult({ result: { ...r, workerPublicKey: ed25519PublicKeyOf(THIEF_KEY) }, ed25519PrivateKey: THIEF_KEY }),
    workerPublicKey: r.workerPublicKey,
  });

  it("is dropped and reported as a compromised transport; the worker keeps its status, health and credit", async () => {
    const w0 = honest(0);
    let stolen = false;
    // W0 answers its first job honestly; afterwards the thief answers in its name.
    const sometimesStolen: ComputeWorker = { computeId: 0, publicKey: w0.publicKey, run: (j, s, o) => (stolen ? forgedBy(thiefSigned).run(j, s, o) : w0.run(j, s, o)) };
    const workers = [sometimesStolen, honest(1)];
    const events: ComputePoolEvent[] = [];
    const seed = "0xstolen";
    const pool = createComputePool({ workers, publicSeed: seed, verification: { policy: "none" }, reexecute, store, onEvent: (e) => events.push(e) });
    const first = jobFirstFor(0, workers, seed, "honest");
    expect(await pool.train(first.job, first.sequences)).toMatchObject({ computeId: 0 });
    const earned = pool.credits().find((c) => c.computeId === 0)!;
    expect(earned.trainedTokens).toBeGreaterThan(0);

    stolen = true;
    const second = jobFirstFor(0, workers, seed, "stolen");
    const out = await pool.train(second.job, second.sequences);
    // The job went on to the next worker, as if W0 had given no answer.
    expect(out).toMatchObject({ computeId: 1 });
    const rec = pool.record();
    // It counts as an attempt without an answer (towards benching), never as a fault.
    expect(rec.workers.find((w) => w.computeId === 0)).toMatchObject({ status: "active", health: 1, failures: 1 });
    expect(rec.workers.find((w) => w.computeId === 0)!.fault).toBeUndefined();
    expect(pool.credits().find((c) => c.computeId === 0)).toEqual(earned);
    const attempt = rec.jobs.find((r) => r.job.jobId === second.job.jobId)!.attempts.find((a) => a.computeId === 0);
    expect(attempt).toMatchObject({ outcome: "dropped", reason: "bad-signature" });
    expect(events).toContainEqual(expect.objectContaining({ type: "transport-compromised", jobId: second.job.jobId, computeId: 0, reason: "bad-signature" }));
    expect(events.filter((e) => e.type === "worker-faulty" || e.type === "health-changed" || e.type === "result-rejected")).toEqual([]);
  });

  it("a worker's own signed result for another job, replayed as this job's answer, is dropped the same way", async () => {
    const w0 = honest(0);
    const old = job("replayed-old");
    const oldResult = await w0.run(old.job, old.sequences);
    const replaying: ComputeWorker = { computeId: 0, publicKey: w0.publicKey, run: async () => oldResult };
    const workers = [replaying, honest(1)];
    const events: ComputePoolEvent[] = [];
    const pool = createComputePool({ workers, publicSeed: "0xreplayed", verification: { policy: "none" }, reexecute, store, onEvent: (e) => events.push(e) });
    const j = jobFirstFor(0, workers, "0xreplayed", "replayed-new");
    expect(await pool.train(j.job, j.sequences)).toMatchObject({ computeId: 1 });
    expect(pool.record().workers.find((w) => w.computeId === 0)).toMatchObject({ status: "active", health: 1, failures: 1 });
    expect(events).toContainEqual(expect.objectContaining({ type: "transport-compromised", computeId: 0, reason: "job-id-mismatch" }));
  });

  it("a result its key did sign but that fails a later check still makes the worker faulty", async () => {
    const inner = honest(0);
    const inflating: ComputeWorker = {
      computeId: 0,
      publicKey: inner.publicKey,
      run: async (j, s) => {
        const r = await inner.run(j, s);
        return signJobResult({ result: { ...r, trainedTokens: r.trainedTokens + 1 }, ed25519PrivateKey: W[0].privateKey });
      },
    };
    const pool = createComputePool({ workers: [inflating], publicSeed: "0xsigned-cheat", verification: { policy: "none" }, reexecute, store });
    const { job: j, sequences } = job("signed-cheat");
    await pool.train(j, sequences);
    expect(pool.record().workers[0]).toMatchObject({ status: "faulty", fault: { reason: "trained-tokens-mismatch" } });
  });
});

describe("a stolen NATS token", () => {
  it("a forged result published with worker 0's token is dropped from the stream and reported; the client waits for and returns the worker's own result", async () => {
    const events: NatsClientEvent[] = [];
    const client = createNatsWorkerClient({ nc, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 60_000, pollIntervalMs: 100, onEvent: (e) => events.push(e) });
    const { job: j, sequences } = job("nats-thief");
    const names = natsNames(FORGE, W[0].publicKey);
    const running = client.run(j, sequences);
    running.catch(() => undefined);
    await waitFor(async () => (await jsm.streams.getMessage(names.jobsStream, { last_by_subj: names.jobSubject(j.jobId) }).catch(() => null)) !== null, 10_000, "job queued");

    // The thief connects with W0's token and answers first, with a result W0's key did not sign.
    const { nc: thief } = await connectNatsWorker({ url: server.url, publicKey: W[0].publicKey, token: W[0].token });
    connections.push(thief);
    const genuine = await honest(0).run(j, sequences);
    const forged: TrainingJobResult = { ...genuine, adapterRoot: `0x${"ee".repeat(32)}`, signature: `0x${"00".repeat(64)}` };
    await jetstream(thief).publish(names.resultSubject(j.jobId), encodeNatsMessage({ kind: NATS_RESULT_KIND, result: forged }));
    await waitFor(async () => events.some((e) => e.type === "transport-compromised"), 10_000, "the forged result reported");
    expect(events[0]).toMatchObject({ type: "transport-compromised", jobId: j.jobId, computeId: 0, reason: "bad-signature" });
    // Dropped from the results stream, so no later read (or restarted coordinator) takes it.
    expect(await jsm.direct.getMessage(names.resultsStream, { last_by_subj: names.resultSubject(j.jobId) })).toBeNull();

    // The real worker 0 then trains the job and publishes its own signed result.
    const wnc = (await connectNatsWorker({ url: server.url, publicKey: W[0].publicKey, token: W[0].token })).nc;
    connections.push(wnc);
    const controller = new AbortController();
    const loop = runNatsWorker({ nc: wnc, forge: FORGE, publicKey: W[0].publicKey, ed25519PrivateKey: W[0].privateKey, workerFor: () => honest(0), signal: controller.signal, pullExpiresMs: 1_000 });
    const out = await running;
    controller.abort();
    await loop;
    expect(out).toEqual(genuine);
    expect(verifyJobResult({ result: out, publicKey: W[0].publicKey })).toEqual({ valid: true });
  });

  it("a worker does not take a forged result on its subject for its own: it trains the job and publishes its signed result, also when the thief used its message id", async () => {
    const { job: j, sequences } = job("nats-thief-first");
    const names = await provisionNatsWorker({ jsm, forge: FORGE, workerPublicKey: W[0].publicKey });
    const { nc: thief } = await connectNatsWorker({ url: server.url, publicKey: W[0].publicKey, token: W[0].token });
    connections.push(thief);
    const genuine = await honest(0).run(j, sequences);
    // Forged, and published under the message id the worker's own result will carry: JetStream would drop the real one as a duplicate.
    const forged: TrainingJobResult = { ...genuine, signature: `0x${"00".repeat(64)}` };
    await jetstream(thief).publish(names.resultSubject(j.jobId), encodeNatsMessage({ kind: NATS_RESULT_KIND, result: forged }), { msgID: resultMsgId(j.jobId, W[0].publicKey) });
    await jetstream(nc).publish(names.jobSubject(j.jobId), encodeNatsMessage({ kind: NATS_JOB_KIND, computeId: 0, workerPublicKey: W[0].publicKey, jobId: j.jobId, sealedBody: await sealJobBody({ job: j, sequences }, { forge: FORGE, jobId: j.jobId, workerPublicKey: W[0].publicKey }) }));

    const wnc = (await connectNatsWorker({ url: server.url, publicKey: W[0].publicKey, token: W[0].token })).nc;
    connections.push(wnc);
    const controller = new AbortController();
    const stop = setTimeout(() => controller.abort(), 20_000);
    const stats = await runNatsWorker({ nc: wnc, forge: FORGE, publicKey: W[0].publicKey, ed25519PrivateKey: W[0].privateKey, workerFor: () => honest(0), signal: controller.signal, pullExpiresMs: 1_000, once: true });
    clearTimeout(stop);
    expect(stats).toEqual({ processed: 1, reused: 0 });
    const stored = await jsm.direct.getMessage(names.resultsStream, { last_by_subj: names.resultSubject(j.jobId) });
    expect(stored && decodeResultMessage(stored.data)).toEqual({ kind: NATS_RESULT_KIND, result: genuine });
  });
});
