import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Hex } from "viem";
import { ComputeError, QueueError, WorkerJobFailedError, WorkerTimeoutError } from "../errors.js";
import type { ComputeWorker } from "../types.js";
import { jobFileName, queuePaths } from "./queuePaths.js";
import { ensureQueueDirs, isNotFound, JOB_FILE_KIND, readResultFile, writeJsonAtomic, type JobBody, type JobFile } from "./queueFiles.js";
import { sealJobBody } from "../sealJobBody.js";
import { sleep } from "../../util/sleep.js";

export interface CreateQueueWorkerClientParameters {
  queueDir: string;
  computeId: number;
  /** The worker's registered Ed25519 key: addresses its job files. */
  publicKey: Hex;
  /** How long to wait for a result before giving up on this worker for the job. */
  timeoutMs: number;
  /** How often the results directory is checked (default 200 ms). */
  pollIntervalMs?: number;
  logger?: Logger;
}

/**
 * A ComputeWorker whose jobs go through the file queue to a worker process (cli/worker.ts). The
 * job body (job and training sequences) is sealed to the worker's key (`sealJobBody`), so the
 * queue directory and anyone who reads it see only ciphertext.
 * Idempotent by (jobId, worker): a result already in the queue is returned without queueing the
 * job again, and a job already queued or claimed is waited for, not duplicated. The result is
 * returned as the worker wrote it; checking it is the pool's business.
 */
export function createQueueWorkerClient(params: CreateQueueWorkerClientParameters): ComputeWorker {
  const pollMs = params.pollIntervalMs ?? 200;
  const publicKey = params.publicKey.toLowerCase() as Hex;
  const log = params.logger?.child({ computeId: params.computeId, transport: "file-queue" });
  return {
    computeId: params.computeId,
    publicKey,
    async run(job, sequences, options) {
      const paths = queuePaths(params.queueDir, job.forge);
      await ensureQueueDirs(paths);
      const name = jobFileName(job.jobId, publicKey);
      const jobPath = join(paths.jobs, name);
      const claimedPath = join(paths.claimed, name);
      const resultPath = join(paths.results, name);

      const existing = await takeResult(resultPath, params.computeId, job.jobId);
      if (existing) {
        log?.info({ jobId: job.jobId }, "reusing the result already in the queue");
        return existing;
      }
      if (!(await exists(jobPath)) && !(await exists(claimedPath))) {
        const body: JobBody = {
          job: { ...job, exampleHashes: [...job.exampleHashes] },
          sequences: sequences.map((s) => ({ id: s.id, tokens: [...s.tokens], scoreFrom: s.scoreFrom })),
        };
        const file: JobFile = {
          kind: JOB_FILE_KIND,
          computeId: params.computeId,
          workerPublicKey: publicKey,
          jobId: job.jobId,
          sealedBody: await sealJobBody(body, { forge: job.forge, jobId: job.jobId, workerPublicKey: publicKey }),
        };
        await writeJsonAtomic(paths, jobPath, file);
        log?.info({ jobId: job.jobId }, "job queued");
      }

      const deadline = Date.now() + params.timeoutMs;
      for (;;) {
        const result = await takeResult(resultPath, params.computeId, job.jobId);
        if (result) return result;
        if (options?.signal?.aborted || Date.now() >= deadline) {
          // Withdraw a job nobody has started, so a late worker does not train it for nothing.
          await rm(jobPath, { force: true });
          if (options?.signal?.aborted) throw options.signal.reason;
          throw new WorkerTimeoutError(params.computeId, job.jobId, params.timeoutMs);
        }
        await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), options?.signal);
      }
    },
  };
}

/** The result at `path` if there is one; an error result is removed (so a retry runs again) and thrown. */
async function takeResult(path: string, computeId: number, jobId: Hex) {
  let file;
  try {
    file = await readResultFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (error instanceof QueueError) {
      await rm(path, { force: true });
      throw new WorkerJobFailedError(computeId, jobId, error.message);
    }
    throw new ComputeError(`Cannot read ${path}`, { hint: "Check the queue directory's permissions", cause: error, retryable: true });
  }
  if ("error" in file) {
    await rm(path, { force: true });
    throw new WorkerJobFailedError(computeId, jobId, file.error.message);
  }
  return file.result;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

