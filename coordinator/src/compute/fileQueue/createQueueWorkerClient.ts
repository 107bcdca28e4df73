import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { bytesToHex, type Hex } from "viem";
import { ComputeError, QueueError, WorkerJobFailedError, WorkerTimeoutError } from "../errors.js";
import { fetchInRunResult } from "../inRun/fetchInRunResult.js";
import { InRunResultFormatError } from "../inRun/inRunResultWire.js";
import { inRunResultKeys } from "../inRun/inRunResultKeys.js";
import type { ContentStore } from "../../storage/types.js";
import type { InRunJob, InRunFeaturesListener, InRunResultKeyFor, InRunWorker } from "../inRun/types.js";
import type { ComputeWorker, RunJobOptions, ScoredSequence, TrainingJob } from "../types.js";
import { jobFileName, queuePaths } from "./queuePaths.js";
import { ensureQueueDirs, isNotFound, JOB_FILE_KIND, readResultFile, writeJsonAtomic, type JobBody, type JobFile, type ResultFile } from "./queueFiles.js";
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
  /**
   * Where the worker puts the sealed features of an in-run job (the store it puts adapters in);
   * without it, in-run jobs are refused (runInRun throws, and the coordinator computes the features itself).
   */
  store?: ContentStore;
  /**
   * The key in-run features are sealed to, for this worker and a job's Forge: the enclave's
   * `inRunResultKey` (derived from its secret, so a restarted coordinator opens the answers given
   * before the restart and does not run the job again). Left out (tests), a random key held in
   * memory by this client: an answer sealed for a previous client then does not open, and is
   * removed and its job queued again.
   */
  resultKey?: InRunResultKeyFor;
  /**
   * Called with the root of every sealed features envelope this client opened (its answer taken):
   * the coordinator removes them from the local store once the Forge's result is submitted
   * (discardInRunFeatures). Only roots that opened with the result key are reported, so a worker
   * naming another blob's root in its claim cannot get that blob removed.
   */
  onInRunFeatures?: InRunFeaturesListener;
}

/**
 * A ComputeWorker (and InRunWorker: in-run feature jobs travel the same way, the body naming this
 * client's result key, the answer a signed claim whose features the worker sealed to that key and
 * put in `store`: fetchInRunResult) whose jobs go through the file queue to a worker process
 * (cli/worker.ts). The job body (job and training sequences) is sealed to the worker's key (`sealJobBody`), so the
 * queue directory and anyone who reads it see only ciphertext.
 * Idempotent by (jobId, worker): a result already in the queue is returned without queueing the
 * job again, and a job already queued or claimed is waited for, not duplicated. The result is
 * returned as the worker wrote it; checking it is the pool's business.
 */
export function createQueueWorkerClient(params: CreateQueueWorkerClientParameters): ComputeWorker & InRunWorker {
  const pollMs = params.pollIntervalMs ?? 200;
  const publicKey = params.publicKey.toLowerCase() as Hex;
  const log = params.logger?.child({ computeId: params.computeId, transport: "file-queue" });
  const resultKey = inRunResultKeys(params.computeId, params.resultKey);

  /** Queue `job` for this worker (unless its result is there, or it is queued or claimed) and wait for the answer `pick` takes. */
  async function dispatch<R>(job: TrainingJob | InRunJob, sequences: readonly ScoredSequence[], options: RunJobOptions | undefined, pick: (file: ResultFile) => Promise<R>, resultRecipient?: Hex): Promise<R> {
    const paths = queuePaths(params.queueDir, job.forge);
    await ensureQueueDirs(paths);
    const name = jobFileName(job.jobId, publicKey);
    const jobPath = join(paths.jobs, name);
    const claimedPath = join(paths.claimed, name);
    const resultPath = join(paths.results, name);

    // An in-run answer already there is taken (after a restart the enclave's derived result key
    // opens it); one whose features do not open (sealed to another key: another enclave secret,
    // or a client with a random key) is removed and the job queued again, rather than failed.
    const existing = await takeResult(resultPath, params.computeId, job.jobId, pick, true);
    if (existing) {
      log?.info({ jobId: job.jobId }, "reusing the result already in the queue");
      return existing.value;
    }
    if (!(await exists(jobPath)) && !(await exists(claimedPath))) {
      const body: JobBody = {
        job: { ...job, exampleHashes: [...job.exampleHashes] },
        sequences: sequences.map((s) => ({ id: s.id, tokens: [...s.tokens], scoreFrom: s.scoreFrom })),
        ...(resultRecipient ? { resultRecipient } : {}),
      };
      const file: JobFile = {
        kind: JOB_FILE_KIND,
        computeId: params.computeId,
        workerPublicKey: publicKey,
        jobId: job.jobId,
        sealedBody: await sealJobBody(body, { forge: job.forge, jobId: job.jobId, workerPublicKey: publicKey }),
      };
      await writeJsonAtomic(paths, jobPath, file);
      log?.info({ jobId: job.jobId, kind: "kind" in job ? job.kind : "training" }, "job queued");
    }

    const deadline = Date.now() + params.timeoutMs;
    for (;;) {
      const result = await takeResult(resultPath, params.computeId, job.jobId, pick);
      if (result) return result.value;
      if (options?.signal?.aborted || Date.now() >= deadline) {
        // Withdraw a job nobody has started, so a late worker does not train it for nothing.
        await rm(jobPath, { force: true });
        if (options?.signal?.aborted) throw options.signal.reason;
        throw new WorkerTimeoutError(params.computeId, job.jobId, params.timeoutMs);
      }
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), options?.signal);
    }
  }

  return {
    computeId: params.computeId,
    publicKey,
    run: (job, sequences, options) =>
      dispatch(job, sequences, options, async (file) => {
        if (!("result" in file)) throw new QueueError(`the answer to training job ${job.jobId} is not a training result`, { hint: "Delete the file so the job runs again" });
        return file.result;
      }),
    async runInRun(job, sequences, options) {
      const store = params.store;
      if (!store) throw new ComputeError(`Worker ${params.computeId}'s queue client has no content store for in-run results`, { hint: "Create the client with the store the worker puts its results in" });
      const key = await resultKey(job.forge);
      return dispatch(
        job,
        sequences,
        options,
        async (file) => {
          if (!("inRunResult" in file)) throw new QueueError(`the answer to in-run job ${job.jobId} is not an in-run result`, { hint: "Delete the file so the job runs again" });
          const result = await fetchInRunResult({ claim: file.inRunResult, forge: job.forge, recipientPrivateKey: key.privateKey, store });
          await params.onInRunFeatures?.({ forge: job.forge, jobId: job.jobId, computeId: params.computeId, featuresRoot: file.inRunResult.featuresRoot });
          return result;
        },
        bytesToHex(key.publicKey),
      );
    },
  };
}

/**
 * The answer at `path` if there is one, as `pick` takes it; an error result, or one `pick` refuses
 * (a malformed file, the wrong kind of result), is removed (so a retry runs again) and thrown —
 * except, with `requeueUnreadable`, in-run features that cannot be fetched or opened: removed, and
 * taken as no answer.
 */
async function takeResult<R>(path: string, computeId: number, jobId: Hex, pick: (file: ResultFile) => Promise<R>, requeueUnreadable = false): Promise<{ value: R } | undefined> {
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
  try {
    return { value: await pick(file) };
  } catch (error) {
    await rm(path, { force: true });
    if (requeueUnreadable && error instanceof InRunResultFormatError) return undefined;
    throw new WorkerJobFailedError(computeId, jobId, (error as Error).message);
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

