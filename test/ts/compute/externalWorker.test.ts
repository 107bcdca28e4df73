import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rankWorkers } from "../../../coordinator/src/compute/assignWorker.js";
import { checkAdapterResult } from "../../../coordinator/src/compute/checkAdapterResult.js";
import { createComputePool } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { createReexecutor } from "../../../coordinator/src/compute/createReexecutor.js";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { JobInputError } from "../../../coordinator/src/compute/errors.js";
import { expectedTrainedTokens } from "../../../coordinator/src/compute/expectedTrainedTokens.js";
import { createCommandWorker, type CreateCommandWorkerParameters } from "../../../coordinator/src/compute/external/createCommandWorker.js";
import { ExternalTrainerFailedError, ExternalTrainerOutputError, ExternalTrainerTimeoutError } from "../../../coordinator/src/compute/external/errors.js";
import type { ExternalJobFile } from "../../../coordinator/src/compute/external/writeJobDirectory.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import type { ScoredSequence, TrainingJob } from "../../../coordinator/src/compute/types.js";
import { verifyJobResult } from "../../../coordinator/src/compute/verifyJobResult.js";
import { createBatchSchedule } from "../../../coordinator/src/eval/train/batchSchedule.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";

const TRAINER = fileURLToPath(new URL("./fixtures/externalTrainer.ts", import.meta.url));
// The trainer runs with its job directory as cwd, so tsx is named by its file, not resolved from there.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const KEYS = [0, 1, 2].map((i) => `0x${(i + 0x31).toString(16).repeat(32)}` as Hex);
const model = tinyBase("external");
let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let basePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compute-external-"));
  store = await createLocalContentStore({ dir: join(dir, "store") });
  const bytes = modelToGguf(model);
  baseModelRoot = (await store.put(bytes)).root;
  basePath = join(dir, "base.gguf");
  await writeFile(basePath, bytes);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function job(seed: string, count = 4): { job: TrainingJob; sequences: ScoredSequence[] } {
  const { hashes, sequences } = exampleSequences(seed, count);
  return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: hyper(seed), sequences }), sequences };
}

let workDirs = 0;
function worker(mode: string, extra: Partial<CreateCommandWorkerParameters> = {}) {
  return createCommandWorker({
    computeId: 0,
    key: KEYS[0],
    store,
    command: process.execPath,
    args: ["--import", TSX, TRAINER, mode],
    timeoutMs: 120_000,
    workDir: join(dir, `work-${workDirs++}`),
    baseModelPath: basePath,
    ...extra,
  });
}

/** Alive and not a zombie (a reparented zombie still answers kill(pid, 0)). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("createCommandWorker", () => {
  it("runs the trainer on a job directory, converts its F32 PEFT output to the in-process worker's exact adapter, stores it and signs the result", async () => {
    const { job: j, sequences } = job("honest");
    const w = worker("honest", { computeId: 2, key: KEYS[2] });
    const result = await w.run(j, sequences);
    const reference = await createInProcessWorker({ computeId: 2, ed25519PrivateKey: KEYS[2], model, baseModelRoot, store }).run(j, sequences);

    expect(w.publicKey).toBe(ed25519PublicKeyOf(KEYS[2]));
    expect(verifyJobResult({ result, publicKey: w.publicKey })).toEqual({ valid: true });
    expect(result).toEqual(reference); // same adapter bytes, same root, same hash, same claim, same signature
    expect(result.trainedTokens).toBe(expectedTrainedTokens(j.hyper, sequences));
    const checked = await checkAdapterResult({ store, job: j, adapterRoot: result.adapterRoot, adapterHash: result.adapterHash });
    expect(checked.ok).toBe(true);
  });

  it("gives the trainer only the job's inputs: job.json, sequences.jsonl and an empty output dir, the base by path", async () => {
    const { job: j, sequences } = job("isolated", 3);
    const workDir = join(dir, "kept");
    await worker("honest", { keepJobDirs: true, workDir }).run(j, sequences);
    const [jobDir] = await readdir(join(workDir, "jobs"));
    const root = join(workDir, "jobs", jobDir);
    expect((await readdir(root)).sort()).toEqual(["job.json", "output", "sequences.jsonl"]);
    expect((await readdir(join(root, "output"))).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors"]);
    const file = JSON.parse(await readFile(join(root, "job.json"), "utf8")) as ExternalJobFile;
    expect(file).toMatchObject({
      kind: "ingotforge/external-training-job/v1",
      job: j,
      jobId: j.jobId,
      seed: j.hyper.seed,
      baseModel: { root: baseModelRoot, path: basePath, config: { ...model.config, rmsNormEps: Math.fround(model.config.rmsNormEps) } }, // the GGUF holds f32
      examples: 3,
      outputDir: join(root, "output"),
      expectedTrainedTokens: expectedTrainedTokens(j.hyper, sequences),
      peft: { r: 2, lora_alpha: 4, target_modules: ["q_proj", "v_proj", "down_proj"], bias: "none" },
    });
    const schedule = createBatchSchedule({ seed: j.hyper.seed, count: 3, batchSize: j.hyper.batchSize, steps: j.hyper.steps! });
    expect(file.batches).toEqual([0, 1, 2].map((k) => schedule.batch(k)));
    expect(file.batches.flat().reduce((a, i) => a + sequences[i].tokens.length - sequences[i].scoreFrom, 0)).toBe(file.expectedTrainedTokens);
    const lines = (await readFile(join(root, "sequences.jsonl"), "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual(sequences.map((s) => ({ id: s.id, tokens: s.tokens, scoreFrom: s.scoreFrom })));
  });

  it("fetches the base from the store by the job's root when it has no base file, and removes the job directory afterwards", async () => {
    const { job: j, sequences } = job("from-store", 2);
    const workDir = join(dir, "no-base");
    const w = worker("honest", { workDir, baseModelPath: undefined });
    const result = await w.run(j, sequences);
    expect((await checkAdapterResult({ store, job: j, adapterRoot: result.adapterRoot, adapterHash: result.adapterHash })).ok).toBe(true);
    expect(await readdir(join(workDir, "bases"))).toEqual([`${baseModelRoot.slice(2)}.gguf`]);
    expect(await readdir(join(workDir, "jobs"))).toEqual([]);
  });

  it("reports a non-zero exit with the exit code and the tail of stderr", async () => {
    const { job: j, sequences } = job("fails", 2);
    const error = await worker("fail").run(j, sequences).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalTrainerFailedError);
    expect(error).toMatchObject({ exitCode: 3, jobId: j.jobId, retryable: true });
    expect((error as ExternalTrainerFailedError).stderrTail).toContain("CUDA out of memory (fixture)");
    expect((error as Error).message).toContain("exited with code 3");
  });

  it("reports a command that cannot be started", async () => {
    const { job: j, sequences } = job("enoent", 2);
    const error = await worker("honest", { command: join(dir, "no-such-trainer") }).run(j, sequences).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalTrainerFailedError);
    expect((error as Error).message).toContain("could not run");
  });

  it.each([
    ["no-output", "missing", "adapter_config.json"],
    ["malformed", "malformed", "safetensors"],
    ["wrong-rank", "shape-mismatch", "r is 3, the job trains rank 2"],
    ["wrong-targets", "shape-mismatch", "no LoRA pair for blk.0.ffn_down.weight"],
  ])("refuses an exit-0 run whose output is %s (%s)", async (mode, problem, detail) => {
    const { job: j, sequences } = job(`bad-${mode}`, 2);
    const before = (await readdir(store.dir)).length;
    const error = await worker(mode).run(j, sequences).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalTrainerOutputError);
    expect(error).toMatchObject({ problem, jobId: j.jobId });
    expect((error as Error).message).toContain(detail);
    expect((await readdir(store.dir)).length).toBe(before); // nothing stored for a refused output
  });

  it("kills the trainer's whole process group when its time limit passes", async () => {
    const { job: j, sequences } = job("slow", 2);
    const pidFile = join(dir, "timeout.pid");
    const error = await worker("hang", { timeoutMs: 4_000, killGraceMs: 500, env: { FIXTURE_PID_FILE: pidFile } })
      .run(j, sequences)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalTrainerTimeoutError);
    expect(error).toMatchObject({ jobId: j.jobId, timeoutMs: 4_000 });
    if (existsSync(pidFile)) {
      const pid = Number(await readFile(pidFile, "utf8"));
      await waitFor(() => !alive(pid), "the trainer's child to die");
    }
  });

  it("kills the trainer's process group on abort (its children too) and rejects with the abort reason", async () => {
    const { job: j, sequences } = job("aborted", 2);
    const pidFile = join(dir, "abort.pid");
    const controller = new AbortController();
    const running = worker("hang", { killGraceMs: 500, env: { FIXTURE_PID_FILE: pidFile } }).run(j, sequences, { signal: controller.signal });
    running.catch(() => undefined);
    const pid = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, "utf8")), "the trainer to start its child");
    expect(alive(pid)).toBe(true);
    const reason = new Error("coordinator stopping");
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    await waitFor(() => !alive(pid), "the trainer's child to die");
  });

  it("refuses a tampered job or foreign sequences before running anything", async () => {
    const { job: j, sequences } = job("tampered", 2);
    const w = worker("fail");
    await expect(w.run({ ...j, hyper: { ...j.hyper, steps: 99 } }, sequences)).rejects.toBeInstanceOf(JobInputError);
    await expect(w.run(j, job("other", 2).sequences)).rejects.toBeInstanceOf(JobInputError);
  });
});

describe("command workers in a compute pool", () => {
  it("under policy none, accepts and credits a BF16 external trainer whose adapter is close to but not bit-exact with the reference", async () => {
    const reexecute = createReexecutor({ store, model, baseModelRoot });
    const workers = [0, 1].map((computeId) => worker("bf16", { computeId, key: KEYS[computeId] }));
    const pool = createComputePool({ workers, publicSeed: "0xexternal", verification: { policy: "none" }, reexecute, store });
    const jobs = [job("pool-a", 3), job("pool-b", 3)];
    const outs = [];
    for (const { job: j, sequences } of jobs) outs.push(await pool.train(j, sequences));
    for (const [i, out] of outs.entries()) {
      const reference = await reexecute(jobs[i].job, jobs[i].sequences);
      expect(out.verified).toBe(false);
      expect(out.adapterHash).not.toBe(reference.adapterHash); // BF16 rounding: why external trainers are checked by metric, not hash
    }
    const credits = pool.credits();
    const total = jobs.reduce((a, { job: j, sequences }) => a + expectedTrainedTokens(j.hyper, sequences), 0);
    expect(credits.reduce((a, c) => a + c.trainedTokens, 0)).toBe(total);
    expect(credits.every((c) => !c.faulty)).toBe(true);
    expect(pool.record().jobs.map((r) => r.attempts.map((a) => a.outcome))).toEqual([["accepted"], ["accepted"]]);
  });

  it("routes around a failing external trainer without blame, to the next worker", async () => {
    const reexecute = createReexecutor({ store, model, baseModelRoot });
    const failing = worker("fail", { computeId: 0, key: KEYS[0] });
    const good = worker("honest", { computeId: 1, key: KEYS[1] });
    const pool = createComputePool({ workers: [failing, good], publicSeed: "0xroute", verification: { policy: "full" }, reexecute, store });
    let picked = job("route-0", 2);
    for (let i = 1; rankWorkers({ jobId: picked.job.jobId, publicSeed: "0xroute", workers: [failing, good] })[0].computeId !== 0; i++) picked = job(`route-${i}`, 2);
    const out = await pool.train(picked.job, picked.sequences);
    const rec = pool.record();
    expect(out.computeId).toBe(1);
    expect(out.verified).toBe(true); // the F32 trainer matched re-execution bit for bit
    expect(rec.jobs[0].attempts).toMatchObject([
      { computeId: 0, outcome: "failed" },
      { computeId: 1, outcome: "accepted", verified: true },
    ]);
    expect((rec.jobs[0].attempts[0] as { detail: string }).detail).toContain("CUDA out of memory (fixture)");
    expect(rec.workers.find((w) => w.computeId === 0)!.status).toBe("active");
  });
});
