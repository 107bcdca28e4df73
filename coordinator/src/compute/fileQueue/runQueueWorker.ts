import { readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Hex } from "viem";
import { TrainAbortedError } from "../../eval/train/errors.js";
import { sleep } from "../../util/sleep.js";
import { jobIdOfFileName, queuePaths } from "./queuePaths.js";
import { ensureQueueDirs, isNotFound, parseJobBody, readJobFile, RESULT_FILE_KIND, writeJsonAtomic, type ResultFile } from "./queueFiles.js";
import { openJobBody } from "../openJobBody.js";
import { answerInRunJob } from "../inRun/answerInRunJob.js";
import type { ContentStore } from "../../storage/types.js";
import { isInRunJob } from "../inRun/isInRunJob.js";
import type { InRunWorker } from "../inRun/types.js";
import type { ComputeWorker } from "../types.js";

export interface RunQueueWorkerParameters {
  queueDir: string;
  forge: Hex;
  /** This worker's Ed25519 public key: only job files addressed to it are taken. */
  publicKey: Hex;
  /** This worker's Ed25519 private key: job bodies are sealed to it (openJobBody). */
  ed25519PrivateKey: Hex | Uint8Array;
  /** The worker for the computeId a job file names (the registry's id for this key); in-run feature jobs need one that also has runInRun (isInRunWorker). */
  workerFor: (computeId: number) => ComputeWorker | (ComputeWorker & InRunWorker);
  /** Stop after finishing one job. */
  once?: boolean;
  /** Stops the loop; a job in training is released back to the queue (default: run until aborted). */
  signal?: AbortSignal;
  pollIntervalMs?: number;
  logger?: Logger;
  /** Where in-run features go, sealed to the coordinator's result key (storeInRunResult); without it, in-run jobs get an error result. */
  store?: ContentStore;
}

export interface RunQueueWorkerReturnType {
  /** Jobs finished (a result or an error result written). */
  processed: number;
  /** Jobs whose result was already there (removed from the queue without training). */
  reused: number;
}

/**
 * The worker side of the file queue: poll `jobs/` for files addressed to this key, claim one by an
 * atomic rename into `claimed/`, open its sealed body with this worker's key, train it, write `results/` atomically, drop the claim. A job
 * whose result already exists is not trained again. Claims left by a previous run of this worker
 * (killed mid-job) are put back in `jobs/` at start. An abort stops training after the current
 * step and releases the claim, so nothing half-done is left behind. An in-run feature job
 * (isInRunJob) runs with the worker's runInRun; its features are sealed to the job's
 * resultRecipient and put in `store` (storeInRunResult), and the signed claim is the result.
 */
export async function runQueueWorker(params: RunQueueWorkerParameters): Promise<RunQueueWorkerReturnType> {
  const paths = queuePaths(params.queueDir, params.forge);
  await ensureQueueDirs(paths);
  const pollMs = params.pollIntervalMs ?? 250;
  const key = params.publicKey.toLowerCase() as Hex;
  const log = params.logger?.child({ forge: params.forge.toLowerCase() });
  const stats: RunQueueWorkerReturnType = { processed: 0, reused: 0 };

  for (const name of await readdir(paths.claimed)) {
    if (jobIdOfFileName(name, key)) {
      await rename(join(paths.claimed, name), join(paths.jobs, name)).catch(() => undefined);
      log?.warn({ file: name }, "released a claim left by an earlier run");
    }
  }

  while (!params.signal?.aborted) {
    const mine = (await readdir(paths.jobs)).filter((n) => jobIdOfFileName(n, key)).sort();
    let didOne = false;
    for (const name of mine) {
      if (params.signal?.aborted) break;
      const jobId = jobIdOfFileName(name, key)!;
      const jobPath = join(paths.jobs, name);
      const claimedPath = join(paths.claimed, name);
      const resultPath = join(paths.results, name);
      if (await exists(resultPath)) {
        await rm(jobPath, { force: true });
        stats.reused++;
        continue;
      }
      try {
        await rename(jobPath, claimedPath);
      } catch (error) {
        if (isNotFound(error)) continue; // withdrawn or taken meanwhile
        throw error;
      }
      const outcome = await runClaimed(params, claimedPath, resultPath, paths, jobId, log);
      if (outcome === "released") {
        await rename(claimedPath, jobPath).catch(() => undefined);
        log?.info({ jobId }, "stopped; job released back to the queue");
        return stats;
      }
      await rm(claimedPath, { force: true });
      stats.processed++;
      didOne = true;
      if (params.once) return stats;
    }
    if (!didOne) await sleep(pollMs, params.signal);
  }
  return stats;
}

async function runClaimed(
  params: RunQueueWorkerParameters,
  claimedPath: string,
  resultPath: string,
  paths: ReturnType<typeof queuePaths>,
  jobId: Hex,
  log: Logger | undefined,
): Promise<"done" | "released"> {
  let computeId = -1;
  try {
    const file = await readJobFile(claimedPath);
    computeId = file.computeId;
    if (file.jobId !== jobId || file.workerPublicKey !== params.publicKey.toLowerCase()) {
      throw new Error(`the file ${claimedPath} holds job ${file.jobId} for key ${file.workerPublicKey}, not what its name says`);
    }
    const opened = await openJobBody({ sealedBody: file.sealedBody, forge: params.forge, jobId, workerPublicKey: file.workerPublicKey, ed25519PrivateKey: params.ed25519PrivateKey });
    const body = parseJobBody(opened, claimedPath);
    if (body.job.jobId !== jobId || body.job.forge.toLowerCase() !== params.forge.toLowerCase()) {
      throw new Error(`the sealed body of ${claimedPath} holds job ${body.job.jobId} of Forge ${body.job.forge}, not what the file says`);
    }
    log?.info({ jobId, computeId, examples: body.sequences.length }, "job claimed");
    const options = params.signal ? { signal: params.signal } : {};
    const worker = params.workerFor(file.computeId);
    if (isInRunJob(body.job)) {
      const { claim, featuresHash } = await answerInRunJob({ worker, job: body.job, sequences: body.sequences, resultRecipient: body.resultRecipient, forge: params.forge, store: params.store, options });
      const out: ResultFile = { kind: RESULT_FILE_KIND, inRunResult: claim };
      await writeJsonAtomic(paths, resultPath, out);
      log?.info({ jobId, featuresHash, featuresRoot: claim.featuresRoot }, "in-run result written");
      return "done";
    }
    const result = await worker.run(body.job, body.sequences, options);
    const out: ResultFile = { kind: RESULT_FILE_KIND, result };
    await writeJsonAtomic(paths, resultPath, out);
    log?.info({ jobId, adapterRoot: result.adapterRoot }, "result written");
    return "done";
  } catch (error) {
    if (params.signal?.aborted || error instanceof TrainAbortedError) return "released";
    const message = error instanceof Error ? error.message : String(error);
    log?.error({ jobId, err: error }, "job failed; error result written");
    const out: ResultFile = { kind: RESULT_FILE_KIND, error: { jobId, computeId: Math.max(computeId, 0), message: message.slice(0, 4000) } };
    await writeJsonAtomic(paths, resultPath, out);
    return "done";
  }
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
