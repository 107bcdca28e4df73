import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { Hex } from "viem";
import { createBatchSchedule } from "../../eval/train/batchSchedule.js";
import { loraAdapterToGguf } from "../../eval/model/loraAdapterToGguf.js";
import { hashAdapter } from "../../eval/train/hashAdapter.js";
import type { ContentStore } from "../../storage/types.js";
import { ed25519PublicKeyOf, toEd25519PrivateKey } from "../ed25519Keys.js";
import { expectedTrainedTokens } from "../expectedTrainedTokens.js";
import { assertJobId, assertJobSequences } from "../planTrainingJob.js";
import { signJobResult } from "../signJobResult.js";
import type { ComputeWorker } from "../types.js";
import { createBaseModelFileResolver } from "./createBaseModelFileResolver.js";
import { readPeftJobOutput } from "./readPeftJobOutput.js";
import { runTrainerCommand } from "./runTrainerCommand.js";
import { writeJobDirectory } from "./writeJobDirectory.js";

export interface CreateCommandWorkerParameters {
  computeId: number;
  /** The worker's Ed25519 private key (32 bytes); its public key is the one registered on-chain. */
  key: Hex | string | Uint8Array;
  /** Where the converted adapter GGUF is put (and bases are found by root). */
  store: ContentStore;
  /** The trainer executable, e.g. `python3`. */
  command: string;
  /** Arguments before the job directory (always appended last), e.g. `["train_qlora.py"]`. */
  args?: readonly string[];
  /** Added to the environment the command inherits (e.g. CUDA_VISIBLE_DEVICES, HF_HOME). */
  env?: Record<string, string>;
  /** Wall-clock limit of one run of the command; past it the process group is killed. */
  timeoutMs: number;
  /** Scratch space: one fresh directory per job run (`jobs/`), and bases fetched from the store (`bases/`). */
  workDir: string;
  /** The base GGUF on disk, when the worker has it; other roots are fetched from `store`. */
  baseModelPath?: string;
  /** Keep each job directory after the run (for debugging a trainer); default false. */
  keepJobDirs?: boolean;
  /** SIGTERM → SIGKILL grace when the process group is stopped (default 5 s). */
  killGraceMs?: number;
  logger?: Logger;
}

/**
 * A worker that trains with an external command (e.g. a PEFT + bitsandbytes QLoRA script on a
 * GPU) under the job contract of compute/external/README.md. Per job it writes a fresh directory
 * with only the job's inputs (job.json, sequences.jsonl, the base model's path), runs
 * `command ...args <jobDir>` with a timeout (the abort signal also kills its process group),
 * converts the PEFT adapter from `<jobDir>/output/` with the eval engine's PEFT converter,
 * holds it to the job's rank, alpha and targets, stores the canonical LoRA GGUF and signs the
 * result exactly as an in-process worker does (trainedTokens as the job implies).
 *
 * Its adapters are not bit-exact with the deterministic trainer's: a pool verifies them by the
 * holdout metric within a tolerance, not by re-execution hash (see the README).
 */
export function createCommandWorker(params: CreateCommandWorkerParameters): ComputeWorker {
  const key = toEd25519PrivateKey(params.key);
  const publicKey = ed25519PublicKeyOf(key);
  const workDir = resolve(params.workDir);
  const jobsDir = join(workDir, "jobs");
  const resolveBase = createBaseModelFileResolver({ store: params.store, cacheDir: join(workDir, "bases"), ...(params.baseModelPath ? { baseModelPath: params.baseModelPath } : {}) });
  const log = params.logger?.child({ computeId: params.computeId, trainer: params.command });
  return {
    computeId: params.computeId,
    publicKey,
    async run(job, sequences, options) {
      assertJobId(job);
      assertJobSequences(job, sequences);
      options?.signal?.throwIfAborted();
      const base = await resolveBase(job.baseModelRoot);
      const tokens = expectedTrainedTokens(job.hyper, sequences);
      const schedule = createBatchSchedule({
        seed: job.hyper.seed,
        count: sequences.length,
        batchSize: job.hyper.batchSize,
        ...(job.hyper.steps !== undefined ? { steps: job.hyper.steps } : {}),
        ...(job.hyper.epochs !== undefined ? { epochs: job.hyper.epochs } : {}),
      });
      const batches = Array.from({ length: schedule.totalSteps }, (_, step) => schedule.batch(step));
      await mkdir(jobsDir, { recursive: true });
      const jobDir = await mkdtemp(join(jobsDir, `${job.jobId.slice(2, 18)}-`));
      try {
        const { outputDir, jobFile } = await writeJobDirectory({ jobDir, job, sequences, baseModelPath: base.path, baseConfig: base.config, expectedTrainedTokens: tokens, batches });
        log?.info({ jobId: job.jobId, jobDir, examples: sequences.length }, "running the external trainer");
        const ran = await runTrainerCommand({
          jobId: job.jobId,
          command: params.command,
          args: params.args ?? [],
          jobDir,
          env: {
            ...process.env,
            ...params.env,
            INGOTFORGE_JOB_DIR: jobDir,
            INGOTFORGE_JOB_FILE: jobFile,
            INGOTFORGE_OUTPUT_DIR: outputDir,
            INGOTFORGE_JOB_ID: job.jobId,
            INGOTFORGE_BASE_MODEL: base.path,
          },
          timeoutMs: params.timeoutMs,
          ...(options?.signal ? { signal: options.signal } : {}),
          ...(params.killGraceMs !== undefined ? { killGraceMs: params.killGraceMs } : {}),
          ...(log ? { logger: log } : {}),
        });
        const adapter = await readPeftJobOutput({ job, outputDir, baseConfig: base.config });
        const bytes = loraAdapterToGguf(adapter, { baseModelName: job.baseModelRoot, name: `ingotforge-job-${job.jobId.slice(2)}` });
        const { root } = await params.store.put(bytes);
        log?.info({ jobId: job.jobId, adapterRoot: root, trainedTokens: tokens, ms: ran.ms }, "external job trained");
        return signJobResult({
          result: { jobId: job.jobId, computeId: params.computeId, workerPublicKey: publicKey, adapterRoot: root, adapterHash: `0x${hashAdapter(adapter)}`, trainedTokens: tokens },
          ed25519PrivateKey: key,
        });
      } finally {
        if (!params.keepJobDirs) await rm(jobDir, { recursive: true, force: true });
      }
    },
  };
}
