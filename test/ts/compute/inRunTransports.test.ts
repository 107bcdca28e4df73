import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { keccak256, toBytes, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { createQueueWorkerClient } from "../../../coordinator/src/compute/fileQueue/createQueueWorkerClient.js";
import { jobFileName, queuePaths } from "../../../coordinator/src/compute/fileQueue/queuePaths.js";
import { runQueueWorker } from "../../../coordinator/src/compute/fileQueue/runQueueWorker.js";
import { createInProcessInRunWorker } from "../../../coordinator/src/compute/inRun/createInProcessInRunWorker.js";
import { createInRunFeaturePool, type InRunFeaturePool } from "../../../coordinator/src/compute/inRun/createInRunFeaturePool.js";
import { hashInRunFeatures } from "../../../coordinator/src/compute/inRun/hashInRunFeatures.js";
import { signInRunResult } from "../../../coordinator/src/compute/inRun/inRunResultMessage.js";
import { planInRunJob } from "../../../coordinator/src/compute/inRun/planInRunJob.js";
import type { InRunResultKeyFor, InRunWorker } from "../../../coordinator/src/compute/inRun/types.js";
import { withInRunFeatures } from "../../../coordinator/src/compute/inRun/withInRunFeatures.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { createNatsWorkerClient, type NatsClientEvent } from "../../../coordinator/src/compute/nats/createNatsWorkerClient.js";
import { makeNatsCertificates, type NatsCertificates } from "../../../coordinator/src/compute/nats/makeNatsCertificates.js";
import { encodeNatsMessage, NATS_RESULT_KIND } from "../../../coordinator/src/compute/nats/natsMessages.js";
import { natsNames } from "../../../coordinator/src/compute/nats/natsNames.js";
import { natsTlsOptions } from "../../../coordinator/src/compute/nats/natsTlsOptions.js";
import { runNatsWorker } from "../../../coordinator/src/compute/nats/runNatsWorker.js";
import { startNatsServer, type NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import type { ComputeWorker } from "../../../coordinator/src/compute/types.js";
import { createInRunRunner } from "../../../coordinator/src/eval/attribution/createInRunRunner.js";
import type { InRunRunResult as InRunAttribution } from "../../../coordinator/src/eval/attribution/inRunTypes.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";
import { CLI, COORDINATOR, spawnNatsWorker, workerIdentity, type SpawnedWorker } from "./fixtures/natsFixtures.js";

/**
 * In-run attribution whose feature jobs go through the real transports — the file queue and NATS
 * JetStream with TLS — to worker processes (`npm run worker`): the job body sealed to each
 * worker's key, the answer a claim signed by it whose features (float64 bit for bit) it sealed to
 * the client's result key and put in the store, verified by duplication. The values must equal
 * the in-process run's exactly.
 */
const model = tinyBase("in-run-transport");
const W = [workerIdentity(0), workerIdentity(1)];
const { hashes, sequences } = exampleSequences("in-run-transport", 6);
const examples = new Map(sequences.map((s) => [s.id, s]));
const holdout = exampleSequences("holdout", 3).sequences;
const { seed: _seed, ...hyperNoSeed } = hyper();
const SETTINGS = { checkpoints: 2, projectionDim: 64, projectionSeed: "transport", preconditioner: "adam" as const, calibration: { samples: 0, seed: 1 }, checkpointAt: "end" as const }; // checkpoints at the ends (the default): the job carries checkpointAt across every transport
const PLAYERS = [hashes.slice(0, 2), hashes.slice(2, 4), hashes.slice(4)];
const TRAINING_SEED = 7;

let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let basePath: string;
let local: InRunAttribution;
let certs: NatsCertificates;
let server: NatsServerHandle;
let coordinatorNc: NatsConnection;
const children: ChildProcess[] = [];
const spawned: SpawnedWorker[] = [];
const opened: NatsConnection[] = [];
const loops: { controller: AbortController; done: Promise<unknown> }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compute-in-run-transport-"));
  store = await createLocalContentStore({ dir: join(dir, "store") });
  const baseBytes = modelToGguf(model);
  baseModelRoot = (await store.put(baseBytes)).root;
  basePath = join(dir, "base.gguf");
  await writeFile(basePath, baseBytes);
  local = await attribute();
  certs = await makeNatsCertificates({ dir: join(dir, "tls"), hosts: ["127.0.0.1"] });
  server = await startNatsServer({ dir: join(dir, "nats"), users: [COORDINATOR, W[0].user, W[1].user], tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
  coordinatorNc = await connect({ servers: server.url, user: COORDINATOR.user, pass: COORDINATOR.password, tls: natsTlsOptions({ url: server.url, caFile: certs.caFile }) });
  opened.push(coordinatorNc);
}, 60_000);

afterAll(async () => {
  for (const l of loops) l.controller.abort();
  await Promise.all(loops.map((l) => l.done.catch(() => undefined)));
  for (const c of [...children, ...spawned.map((s) => s.child)]) if (c.exitCode === null) c.kill("SIGKILL");
  for (const c of opened) if (!c.isClosed()) await c.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The in-run values of PLAYERS, their features from `pool` (or computed here when left out). */
function attribute(pool?: InRunFeaturePool): Promise<InRunAttribution> {
  return createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed, ...(pool ? { features: pool.features } : {}) })(PLAYERS, TRAINING_SEED, SETTINGS);
}

function expectSameValuesBitForBit(got: InRunAttribution) {
  expect(got.values.map((v) => v.value)).toEqual(local.values.map((v) => v.value));
  got.values.forEach((v, i) => expect(Object.is(v.value, local.values[i].value), `player ${i}`).toBe(true));
  expect(got.values.some((v) => v.value !== 0)).toBe(true);
}

/** The result key of a simulated enclave with secret seed keccak256(`seed`), as a restarted coordinator re-creates it. */
async function enclaveResultKey(seed: string): Promise<InRunResultKeyFor> {
  const enclave = await createSimulatedEnclave({ chainId: 31337, secretSeed: keccak256(toBytes(seed)), logger: { warn: () => undefined, info: () => undefined } });
  return (p) => enclave.inRunResultKey(p);
}

/** An honest in-process worker for key i (training and in-run), as `npm run worker` builds it. */
function honest(i: number): ComputeWorker & InRunWorker {
  return withInRunFeatures(createInProcessWorker({ computeId: i, ed25519PrivateKey: W[i].privateKey, model, baseModelRoot, store }), { ed25519PrivateKey: W[i].privateKey, model, baseModelRoot, store });
}

/** A worker that nudges one projected feature by one ulp and signs the result honestly with its own key. */
function tampering(i: number): ComputeWorker & InRunWorker {
  const inner = createInProcessInRunWorker({ computeId: i, ed25519PrivateKey: W[i].privateKey, model });
  return Object.assign(honest(i), {
    async runInRun(...args: Parameters<InRunWorker["runInRun"]>) {
      const r = await inner.runInRun(...args);
      const f = r.checkpoints[1].features[0];
      f[0] = f[0] + Math.abs(f[0]) * Number.EPSILON * 2 || Number.MIN_VALUE;
      const { signature: _s, ...unsigned } = r;
      return signInRunResult({ ...unsigned, featuresHash: hashInRunFeatures(r.paramNames, r.checkpoints) }, W[i].privateKey);
    },
  });
}

async function startQueueWorkerProcess(queueDir: string, i: number): Promise<{ child: ChildProcess; exited: Promise<number | null>; stderr: () => string }> {
  const keyPath = join(dir, `queue-worker-${i}.key`);
  await writeFile(keyPath, `${W[i].privateKey}\n`);
  await chmod(keyPath, 0o600);
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "--forge", FORGE, "--key", keyPath, "--queue", queueDir, "--store", join(dir, "store"), "--base", basePath, "--poll-ms", "50", "--once"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

/** runNatsWorker for key i in this process, over its own TLS connection. */
async function natsWorkerLoop(i: number, worker: ComputeWorker & InRunWorker): Promise<void> {
  const { nc } = await connectNatsWorker({ url: server.url, publicKey: W[i].publicKey, token: W[i].token, caFile: certs.caFile });
  opened.push(nc);
  const controller = new AbortController();
  loops.push({ controller, done: runNatsWorker({ nc, forge: FORGE, publicKey: W[i].publicKey, ed25519PrivateKey: W[i].privateKey, workerFor: () => worker, store, signal: controller.signal, pullExpiresMs: 1_000 }) });
}

describe("in-run feature jobs over the file queue and NATS", () => {
  it("runs in-run attribution through the file queue, one worker a separate process, with the in-process values bit for bit", async () => {
    const queueDir = join(dir, "queue");
    const processWorker = await startQueueWorkerProcess(queueDir, 0);
    const controller = new AbortController();
    const inProcess = runQueueWorker({ queueDir, forge: FORGE, publicKey: W[1].publicKey, ed25519PrivateKey: W[1].privateKey, workerFor: () => honest(1), store, once: true, signal: controller.signal, pollIntervalMs: 50 });
    loops.push({ controller, done: inProcess });
    const clients = [0, 1].map((i) => createQueueWorkerClient({ queueDir, computeId: i, publicKey: W[i].publicKey, timeoutMs: 120_000, pollIntervalMs: 50, store }));
    const pool = createInRunFeaturePool({ workers: clients, publicSeed: "0xqueue", forge: FORGE, baseModelRoot, model });

    expectSameValuesBitForBit(await attribute(pool));
    expect(await processWorker.exited, processWorker.stderr()).toBe(0);
    expect(processWorker.stderr()).toMatch(/in-run result written/);
    const [job] = pool.record();
    expect(job.audited).toBe(true);
    expect(job.attempts.map((a) => [a.computeId, a.outcome]).sort()).toEqual([[0, "accepted"], [1, "accepted"]]);
    expect(job.attempts[0].featuresHash).toBe(job.attempts[1].featuresHash);
    expect(job.reexecuted).toBe(false);
    expect(pool.faulty()).toEqual([]);
    // The queue holds each worker's signed claim and the root of its sealed features, never the features.
    const paths = queuePaths(queueDir, FORGE);
    const resultFiles = await readdir(paths.results);
    expect(resultFiles.sort()).toEqual([jobFileName(job.jobId, W[0].publicKey), jobFileName(job.jobId, W[1].publicKey)].sort());
    const { inRunResult } = JSON.parse(await readFile(join(paths.results, jobFileName(job.jobId, W[0].publicKey)), "utf8")) as { inRunResult: { featuresHash: string; featuresRoot: Hex } };
    expect(inRunResult.featuresHash).toBe(job.accepted.featuresHash);
    expect(Object.keys(inRunResult)).not.toContain("checkpoints");
    const sealed = new TextDecoder().decode(await store.get(inRunResult.featuresRoot));
    expect(sealed).not.toMatch(/stateHash|paramNames/);
  }, 180_000);

  it("runs in-run attribution over NATS with TLS, one worker a separate process (--nats-ca), with the in-process values bit for bit", async () => {
    const processWorker = await spawnNatsWorker({ dir, url: server.url, index: 0, storeDir: join(dir, "store"), basePath, extra: ["--nats-ca", certs.caFile, "--once"] });
    spawned.push(processWorker);
    await natsWorkerLoop(1, honest(1));
    const clients = [0, 1].map((i) => createNatsWorkerClient({ nc: coordinatorNc, computeId: i, publicKey: W[i].publicKey, timeoutMs: 120_000, pollIntervalMs: 200, forge: FORGE, store }));
    const pool = createInRunFeaturePool({ workers: clients, publicSeed: "0xnats", forge: FORGE, baseModelRoot, model });

    expectSameValuesBitForBit(await attribute(pool));
    expect(await processWorker.exited, processWorker.stderr()).toBe(0);
    expect(processWorker.stderr()).toMatch(/in-run result published/);
    const [job] = pool.record();
    expect(job.attempts.map((a) => [a.computeId, a.outcome]).sort()).toEqual([[0, "accepted"], [1, "accepted"]]);
    expect(job.reexecuted).toBe(false);
    expect(pool.faulty()).toEqual([]);
    expect([...pool.credits().values()]).toEqual([job.accepted.trainedTokens]);
  }, 180_000);

  it("catches a worker over NATS whose features are one ulp off: outvoted by the coordinator's run, marked faulty, values unchanged", async () => {
    // Another Forge, so these workers' consumers are fresh.
    const forge = "0x00000000000000000000000000000000000000f1" as const;
    const ids = [0, 1];
    const workers = [honest(0), tampering(1)];
    for (const i of ids) {
      const { nc } = await connectNatsWorker({ url: server.url, publicKey: W[i].publicKey, token: W[i].token, caFile: certs.caFile });
      opened.push(nc);
      const controller = new AbortController();
      loops.push({ controller, done: runNatsWorker({ nc, forge, publicKey: W[i].publicKey, ed25519PrivateKey: W[i].privateKey, workerFor: () => workers[i], store, signal: controller.signal, pullExpiresMs: 1_000 }) });
    }
    const clients = ids.map((i) => createNatsWorkerClient({ nc: coordinatorNc, computeId: i, publicKey: W[i].publicKey, timeoutMs: 60_000, pollIntervalMs: 200, forge, store }));
    const pool = createInRunFeaturePool({ workers: clients, publicSeed: "0xtamper", forge, baseModelRoot, model });

    expectSameValuesBitForBit(await attribute(pool));
    const [job] = pool.record();
    expect(job.reexecuted).toBe(true);
    expect(job.attempts.find((a) => a.computeId === 1)?.outcome).toBe("outvoted");
    expect(job.attempts.find((a) => a.computeId === 0)?.outcome).toBe("accepted");
    expect(job.accepted.computeId).toBe(0);
    expect(pool.faulty()).toEqual([1]);
    expect([...pool.credits().keys()]).toEqual([0]);
  }, 120_000);

  it("takes the answer already in the queue after a coordinator restart (the same enclave secret) without queueing the job again", async () => {
    const queueDir = join(dir, "queue-restart-same");
    const job = planInRunJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 2, projection: { seed: "r1", dim: 16 }, preconditioner: "adam" });
    const served = runQueueWorker({ queueDir, forge: FORGE, publicKey: W[0].publicKey, ed25519PrivateKey: W[0].privateKey, workerFor: () => honest(0), store, once: true, pollIntervalMs: 20 });
    const client = async (seed: string) => createQueueWorkerClient({ queueDir, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 30_000, pollIntervalMs: 20, store, resultKey: await enclaveResultKey(seed) });
    const [first] = await Promise.all([(await client("enclave A")).runInRun(job, sequences), served]);
    const resultPath = join(queuePaths(queueDir, FORGE).results, jobFileName(job.jobId, W[0].publicKey));
    const before = await readFile(resultPath, "utf8");
    // A restarted coordinator: a new enclave object and a new client from the same secret, no worker serving.
    const again = await (await client("enclave A")).runInRun(job, sequences);
    expect(again.featuresHash).toBe(first.featuresHash);
    expect(again.checkpoints[1].features[0]).toEqual(first.checkpoints[1].features[0]);
    expect(await readdir(queuePaths(queueDir, FORGE).jobs)).toEqual([]);
    expect(await readFile(resultPath, "utf8")).toBe(before);
  }, 60_000);

  it("queues the job again when the answer already in the queue does not open with the client's key (sealed for another enclave secret)", async () => {
    const queueDir = join(dir, "queue-restart");
    const job = planInRunJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 2, projection: { seed: "r", dim: 16 }, preconditioner: "adam" });
    const serve = () => runQueueWorker({ queueDir, forge: FORGE, publicKey: W[0].publicKey, ed25519PrivateKey: W[0].privateKey, workerFor: () => honest(0), store, once: true, pollIntervalMs: 20 });
    const client = async (seed: string) => createQueueWorkerClient({ queueDir, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 30_000, pollIntervalMs: 20, store, resultKey: await enclaveResultKey(seed) });
    const [first] = await Promise.all([(await client("enclave A")).runInRun(job, sequences), serve()]);
    const resultPath = join(queuePaths(queueDir, FORGE).results, jobFileName(job.jobId, W[0].publicKey));
    const root = (text: string) => (JSON.parse(text) as { inRunResult: { featuresRoot: string } }).inRunResult.featuresRoot;
    const firstRoot = root(await readFile(resultPath, "utf8"));
    // A coordinator whose enclave holds another secret derives another result key: the stored answer does not open for it.
    const [again, served] = await Promise.all([(await client("enclave B")).runInRun(job, sequences), serve()]);
    expect(served.processed).toBe(1);
    expect(again.featuresHash).toBe(first.featuresHash);
    expect(root(await readFile(resultPath, "utf8"))).not.toBe(firstRoot);
  }, 60_000);

  it("takes the answer already in the results stream after a coordinator restart (the same enclave secret) without publishing the job again; another secret's client publishes it again", async () => {
    const forge = "0x00000000000000000000000000000000000000f3" as const;
    const job = planInRunJob({ forge, baseModelRoot, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 2, projection: { seed: "s", dim: 16 }, preconditioner: "adam" });
    const { nc } = await connectNatsWorker({ url: server.url, publicKey: W[0].publicKey, token: W[0].token, caFile: certs.caFile });
    opened.push(nc);
    const controller = new AbortController();
    let runs = 0;
    const counting = Object.assign(honest(0), {
      runInRun: (...args: Parameters<InRunWorker["runInRun"]>) => {
        runs += 1;
        return honest(0).runInRun(...args);
      },
    });
    const done = runNatsWorker({ nc, forge, publicKey: W[0].publicKey, ed25519PrivateKey: W[0].privateKey, workerFor: () => counting, store, signal: controller.signal, pullExpiresMs: 1_000 });
    loops.push({ controller, done });
    const client = async (seed: string) => createNatsWorkerClient({ nc: coordinatorNc, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 60_000, pollIntervalMs: 200, forge, store, resultKey: await enclaveResultKey(seed) });
    const first = await (await client("enclave A")).runInRun(job, sequences);
    expect(runs).toBe(1);
    // A restarted coordinator (the same secret) opens the answer already in the stream: the worker does not run the job again.
    const restarted = await (await client("enclave A")).runInRun(job, sequences);
    expect(restarted.featuresHash).toBe(first.featuresHash);
    expect(runs).toBe(1);
    // Another secret's key does not open it: purged and published again, and the worker runs it again.
    const other = await (await client("enclave B")).runInRun(job, sequences);
    expect(other.featuresHash).toBe(first.featuresHash);
    expect(runs).toBe(2);
    controller.abort();
    expect(await done).toMatchObject({ processed: 2 });
  }, 60_000);

  it("a worker given no store answers an in-run job with an error result (the pool then moves on)", async () => {
    const queueDir = join(dir, "queue-no-store");
    const job = planInRunJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 2, projection: { seed: "n", dim: 16 }, preconditioner: "adam" });
    const serving = runQueueWorker({ queueDir, forge: FORGE, publicKey: W[0].publicKey, ed25519PrivateKey: W[0].privateKey, workerFor: () => honest(0), once: true, pollIntervalMs: 20 });
    const client = createQueueWorkerClient({ queueDir, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 30_000, pollIntervalMs: 20, store });
    await expect(client.runInRun(job, sequences)).rejects.toThrow(/needs runInRun and a store/);
    await serving;
  }, 60_000);

  it("drops an in-run claim on a worker's subject that its key did not sign (a stolen token), reports it, and takes the worker's own", async () => {
    const forge = "0x00000000000000000000000000000000000000f2" as const;
    const events: NatsClientEvent[] = [];
    const client = createNatsWorkerClient({ nc: coordinatorNc, computeId: 0, publicKey: W[0].publicKey, timeoutMs: 60_000, pollIntervalMs: 200, forge, store, onEvent: (e) => events.push(e) });
    const job = planInRunJob({ forge, baseModelRoot, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 2, projection: { seed: "t", dim: 16 }, preconditioner: "adam" });
    const own = await createInProcessInRunWorker({ computeId: 0, ed25519PrivateKey: W[0].privateKey, model }).runInRun(job, sequences);
    // Worker 1's key signs a claim for worker 0's job, and its holder puts it on worker 0's subject.
    const forged = await createInProcessInRunWorker({ computeId: 0, ed25519PrivateKey: W[1].privateKey, model }).runInRun(job, sequences);
    const running = client.runInRun(job, sequences);
    const names = natsNames(forge, W[0].publicKey);
    await new Promise((r) => setTimeout(r, 500));
    const { paramNames: _p, checkpoints: _c, ...claim } = forged;
    await jetstream(coordinatorNc).publish(names.resultSubject(job.jobId), encodeNatsMessage({ kind: NATS_RESULT_KIND, inRunResult: { ...claim, featuresRoot: `0x${"ee".repeat(32)}` } }));
    // Worker 0 itself then takes the job and answers.
    const { nc } = await connectNatsWorker({ url: server.url, publicKey: W[0].publicKey, token: W[0].token, caFile: certs.caFile });
    opened.push(nc);
    const controller = new AbortController();
    loops.push({ controller, done: runNatsWorker({ nc, forge, publicKey: W[0].publicKey, ed25519PrivateKey: W[0].privateKey, workerFor: () => honest(0), store, signal: controller.signal, pullExpiresMs: 1_000 }) });
    const got = await running;
    expect(got.featuresHash).toBe(own.featuresHash);
    expect(got.checkpoints[1].features[0]).toEqual(own.checkpoints[1].features[0]);
    expect(events.map((e) => [e.type, e.reason])).toEqual([["transport-compromised", "public-key-mismatch"]]);
  }, 60_000);
});
