import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComputePool } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { createReexecutor } from "../../../coordinator/src/compute/createReexecutor.js";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { WorkerJobFailedError, WorkerTimeoutError } from "../../../coordinator/src/compute/errors.js";
import { createQueueWorkerClient } from "../../../coordinator/src/compute/fileQueue/createQueueWorkerClient.js";
import { jobFileName, queuePaths } from "../../../coordinator/src/compute/fileQueue/queuePaths.js";
import { runQueueWorker } from "../../../coordinator/src/compute/fileQueue/runQueueWorker.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { verifyJobResult } from "../../../coordinator/src/compute/verifyJobResult.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";

const CLI = fileURLToPath(new URL("../../../coordinator/src/compute/cli/worker.ts", import.meta.url));
const KEY = `0x${"5a".repeat(32)}` as Hex;
const PUB = ed25519PublicKeyOf(KEY);
const model = tinyBase("queue");
let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let basePath: string;
let keyPath: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compute-queue-"));
  store = await createLocalContentStore({ dir: join(dir, "store") });
  const baseBytes = modelToGguf(model);
  baseModelRoot = (await store.put(baseBytes)).root;
  basePath = join(dir, "base.gguf");
  await writeFile(basePath, baseBytes);
  keyPath = join(dir, "worker.key");
  await writeFile(keyPath, `${KEY}\n`);
  await chmod(keyPath, 0o600);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

function job(seed: string, steps = 3) {
  const { hashes, sequences } = exampleSequences(seed, 4);
  return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: { ...hyper(seed), steps }, sequences }), sequences };
}

function startWorker(queueDir: string, extra: string[] = []): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "--forge", FORGE, "--key", keyPath, "--queue", queueDir, "--store", join(dir, "store"), "--base", basePath, "--poll-ms", "50", ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("file queue", () => {
  it("runs one job end to end through a spawned worker process, accepted under full verification", async () => {
    const queueDir = join(dir, "queue-e2e");
    const worker = startWorker(queueDir, ["--once"]);
    const client = createQueueWorkerClient({ queueDir, computeId: 5, publicKey: PUB, timeoutMs: 90_000, pollIntervalMs: 50 });
    const reexecute = createReexecutor({ store, model, baseModelRoot });
    const pool = createComputePool({ workers: [client], publicSeed: "0xqueue", verification: { policy: "full" }, reexecute, store });
    const { job: j, sequences } = job("e2e");
    const out = await pool.train(j, sequences);
    expect(out).toMatchObject({ computeId: 5, verified: true, adapterHash: (await reexecute(j, sequences)).adapterHash });
    expect(await worker.exited, worker.stderr()).toBe(0);
    expect(pool.credits()[0]).toMatchObject({ computeId: 5, verifiedJobs: 1 });

    const paths = queuePaths(queueDir, FORGE);
    expect(await readdir(paths.jobs)).toEqual([]);
    expect(await readdir(paths.claimed)).toEqual([]);
    const name = jobFileName(j.jobId, PUB);
    const resultFile = JSON.parse(await readFile(join(paths.results, name), "utf8")) as { result: Parameters<typeof verifyJobResult>[0]["result"] };
    expect(verifyJobResult({ result: resultFile.result, publicKey: PUB })).toEqual({ valid: true });

    // Idempotent by job: the result in the queue is reused; no worker runs now.
    const again = await createQueueWorkerClient({ queueDir, computeId: 5, publicKey: PUB, timeoutMs: 1_000 }).run(j, sequences);
    expect(again).toEqual(resultFile.result);
  });

  it("runs a job through an external trainer command (--trainer-command) whose PEFT output passes full verification bit for bit", async () => {
    const queueDir = join(dir, "queue-external");
    const trainer = fileURLToPath(new URL("./fixtures/externalTrainer.ts", import.meta.url));
    // The trainer runs in its job directory, so tsx is named by its file URL.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const worker = startWorker(queueDir, ["--once", "--trainer-command", process.execPath, "--trainer-arg=--import", `--trainer-arg=${tsx}`, `--trainer-arg=${trainer}`, "--trainer-arg=honest", "--work-dir", join(dir, "external-jobs")]);
    const client = createQueueWorkerClient({ queueDir, computeId: 5, publicKey: PUB, timeoutMs: 90_000, pollIntervalMs: 50 });
    const reexecute = createReexecutor({ store, model, baseModelRoot });
    const pool = createComputePool({ workers: [client], publicSeed: "0xexternal", verification: { policy: "full" }, verifyBy: "reexecution", reexecute, store });
    const { job: j, sequences } = job("external");
    const out = await pool.train(j, sequences);
    expect(await worker.exited, worker.stderr()).toBe(0);
    expect(out, JSON.stringify(pool.record().jobs[0].attempts)).toMatchObject({ computeId: 5, verified: true, adapterHash: (await reexecute(j, sequences)).adapterHash });
  });

  it("stops a worker process cleanly on SIGINT, putting its unfinished job back in the queue", async () => {
    const queueDir = join(dir, "queue-sigint");
    const worker = startWorker(queueDir);
    const client = createQueueWorkerClient({ queueDir, computeId: 5, publicKey: PUB, timeoutMs: 60_000, pollIntervalMs: 50 });
    const controller = new AbortController();
    const { job: j, sequences } = job("long", 1_000_000);
    const running = client.run(j, sequences, { signal: controller.signal }).catch((e: unknown) => e);
    const paths = queuePaths(queueDir, FORGE);
    const name = jobFileName(j.jobId, PUB);
    await waitFor(async () => (await readdir(paths.claimed).catch((): string[] => [])).includes(name), 60_000);
    worker.child.kill("SIGINT");
    expect(await worker.exited, worker.stderr()).toBe(0);
    expect(worker.stderr()).toMatch(/job released back to the queue/);
    expect(await readdir(paths.jobs)).toEqual([name]);
    expect(await readdir(paths.results)).toEqual([]);
    controller.abort(new Error("test over"));
    expect(await running).toMatchObject({ message: "test over" });
  });

  it("times out when no worker answers, and withdraws the job it queued", async () => {
    const queueDir = join(dir, "queue-timeout");
    const client = createQueueWorkerClient({ queueDir, computeId: 5, publicKey: PUB, timeoutMs: 300, pollIntervalMs: 50 });
    const { job: j, sequences } = job("nobody");
    await expect(client.run(j, sequences)).rejects.toBeInstanceOf(WorkerTimeoutError);
    expect(await readdir(queuePaths(queueDir, FORGE).jobs)).toEqual([]);
  });

  it("a worker answers job files it cannot run (bad JSON, sequences not the job's) with an error result, ignores other workers' jobs, and skips jobs already answered", async () => {
    const queueDir = join(dir, "queue-inproc");
    const paths = queuePaths(queueDir, FORGE);
    const otherKey = ed25519PublicKeyOf(`0x${"77".repeat(32)}`);
    const { job: good, sequences } = job("inproc");
    const client = createQueueWorkerClient({ queueDir, computeId: 5, publicKey: PUB, timeoutMs: 30_000, pollIntervalMs: 20 });
    const otherClient = createQueueWorkerClient({ queueDir, computeId: 6, publicKey: otherKey, timeoutMs: 30_000, pollIntervalMs: 20 });
    const bad = job("inproc-bad").job;
    const worker = createInProcessWorker({ computeId: 5, ed25519PrivateKey: KEY, model, baseModelRoot, store });
    const garbageId = `0x${"99".repeat(32)}` as Hex;
    await mkdir(paths.jobs, { recursive: true });
    await writeFile(join(paths.jobs, jobFileName(garbageId, PUB)), "not json");
    const controller = new AbortController();
    const loop = runQueueWorker({ queueDir, forge: FORGE, publicKey: PUB, ed25519PrivateKey: KEY, workerFor: () => worker, signal: controller.signal, pollIntervalMs: 20 });

    const goodRun = client.run(good, sequences);
    const otherRun = otherClient.run(good, sequences, { signal: controller.signal }).catch((e: unknown) => e);
    // A job file whose sequences do not belong to the job (one missing): the worker refuses it.
    // (caught at once: it may fail before the good job is done, and must not be an unhandled rejection meanwhile)
    const badRun = client.run(bad, sequences.slice(1)).catch((e: unknown) => e);
    expect((await goodRun).computeId).toBe(5);
    const badError = await badRun;
    expect(badError).toBeInstanceOf(WorkerJobFailedError);
    expect((badError as Error).message).toMatch(/3 sequences were given/);
    // The other worker's job stays untouched in the queue.
    expect(await readdir(paths.jobs)).toEqual([jobFileName(good.jobId, otherKey)]);
    controller.abort();
    const stats = await loop;
    expect(stats).toEqual({ processed: 3, reused: 0 });
    const garbage = JSON.parse(await readFile(join(paths.results, jobFileName(garbageId, PUB)), "utf8")) as { error: { jobId: string; message: string } };
    expect(garbage.error).toMatchObject({ jobId: garbageId, message: expect.stringMatching(/is not valid JSON/) });
    expect(await otherRun).toBeDefined();

    // A job file for a job that already has a result is dropped without training.
    await writeFile(join(paths.jobs, jobFileName(good.jobId, PUB)), "{}");
    const again = await runQueueWorker({ queueDir, forge: FORGE, publicKey: PUB, ed25519PrivateKey: KEY, workerFor: () => worker, signal: AbortSignal.timeout(300), pollIntervalMs: 20 });
    expect(again).toEqual({ processed: 0, reused: 1 });
  });
});
