import type { Logger } from "pino";
import type { Hex } from "viem";
import { ggufToLoraAdapter } from "../eval/model/ggufToLoraAdapter.js";
import { hashAdapter } from "../eval/train/hashAdapter.js";
import type { ContentStore } from "../storage/types.js";
import { rankWorkers } from "./assignWorker.js";
import { checkAdapterResult, type AdapterCheckReason } from "./checkAdapterResult.js";
import type { Reexecute, ReexecuteReturnType } from "./createReexecutor.js";
import { ComputeError, WorkerTimeoutError } from "./errors.js";
import { expectedTrainedTokens } from "./expectedTrainedTokens.js";
import { checkVerificationConfig, isJobAudited, type VerificationConfig, type VerificationPolicy } from "./isJobAudited.js";
import { assertJobId, assertJobSequences } from "./planTrainingJob.js";
import type { ComputeWorker, RunJobOptions, ScoredSequence, TrainingJob, TrainingJobResult } from "./types.js";
import { verifyJobResult } from "./verifyJobResult.js";

export type RejectionReason =
  | "malformed"
  | "job-id-mismatch"
  | "compute-id-mismatch"
  | "public-key-mismatch"
  | "bad-signature"
  | "trained-tokens-mismatch"
  | AdapterCheckReason
  | "reexecution-mismatch";

/** One try of a job on one worker. */
export type AttemptRecord =
  | { computeId: number; outcome: "accepted"; adapterRoot: Hex; adapterHash: Hex; trainedTokens: number; verified: boolean; ms: number }
  | { computeId: number; outcome: "rejected"; reason: RejectionReason; detail: string; adapterRoot?: string; adapterHash?: string; ms: number }
  | { computeId: number; outcome: "failed" | "timed-out"; detail: string; ms: number };

export type JobOutcome =
  | { by: "worker"; computeId: number; adapterRoot: Hex; adapterHash: Hex; trainedTokens: number; verified: boolean }
  | { by: "coordinator"; computeId: null; adapterRoot: Hex; adapterHash: Hex; trainedTokens: number; verified: true; reason: "no-worker-left" };

export interface JobRecord {
  job: TrainingJob;
  /** Re-executed by the coordinator before trusting a result (from the policy, publicSeed and jobId). */
  audited: boolean;
  /** computeIds in the job's rendezvous order (rankWorkers); attempts follow it, skipping faulty ones. */
  ranking: number[];
  attempts: AttemptRecord[];
  /** The coordinator's own result, when it re-executed the job. */
  reexecution?: { adapterHash: Hex };
  outcome: JobOutcome;
  /** Accepted unaudited from a worker that was caught cheating later: re-execute before relying on it. */
  suspect?: boolean;
}

export type WorkerStatus = "active" | "faulty" | "benched";

export interface WorkerRecord {
  computeId: number;
  publicKey: Hex;
  status: WorkerStatus;
  /** Why and on which job a worker became faulty (a result that failed a check). */
  fault?: { jobId: Hex; reason: RejectionReason; detail: string };
  /** Attempts that threw or timed out. */
  failures: number;
}

/** The compute part of the attribution log. */
export interface ComputePoolRecord {
  publicSeed: string;
  verification: { policy: VerificationPolicy; fraction: number };
  workers: WorkerRecord[];
  jobs: JobRecord[];
}

export interface ComputeCredit {
  computeId: number;
  publicKey: Hex;
  /** Jobs whose result the pool accepted (verified by re-execution or, unaudited, by all other checks). */
  acceptedJobs: number;
  verifiedJobs: number;
  /** Verified work: trained tokens of accepted jobs; 0 for a worker caught returning a wrong result. */
  trainedTokens: number;
  faulty: boolean;
}

export type ComputePoolEvent =
  | { type: "job-assigned"; jobId: Hex; computeId: number; attempt: number }
  | { type: "result-accepted"; jobId: Hex; computeId: number; verified: boolean }
  | { type: "result-rejected"; jobId: Hex; computeId: number; reason: RejectionReason; detail: string }
  | { type: "worker-failed"; jobId: Hex; computeId: number; outcome: "failed" | "timed-out"; detail: string }
  | { type: "worker-faulty"; jobId: Hex; computeId: number; reason: RejectionReason }
  | { type: "worker-benched"; computeId: number; failures: number }
  | { type: "job-reexecuted"; jobId: Hex; adapterHash: Hex }
  | { type: "job-done-by-coordinator"; jobId: Hex };

export interface CreateComputePoolParameters {
  /** The Forge's registered workers; `publicKey` must be the key registered on-chain. */
  workers: readonly ComputeWorker[];
  /** Fixed when the window closed; drives assignment and sampling, so both replay. */
  publicSeed: Hex | string;
  verification: VerificationConfig;
  /** The coordinator's own deterministic run (createReexecutor). */
  reexecute: Reexecute;
  /** Where workers put adapters; results are checked against what it returns. */
  store: ContentStore;
  logger?: Logger;
  onEvent?: (event: ComputePoolEvent) => void;
  /** Time a worker gets per job before it is routed around (default 30 minutes). */
  workerTimeoutMs?: number;
  /** A worker that threw or timed out this many times is no longer assigned jobs (default 2). */
  maxWorkerFailures?: number;
  /**
   * The record of an earlier run of this pool (same seed and policy), e.g. after a coordinator
   * restart: its finished jobs are answered from it without dispatching, and its faulty and
   * benched workers stay so. Adapters are re-read (and re-hashed) from the store when asked for.
   */
  resumeFrom?: ComputePoolRecord;
}

export interface TrainJobReturnType {
  jobId: Hex;
  adapterRoot: Hex;
  adapterBytes: Uint8Array;
  adapterHash: Hex;
  /** Who trained the accepted adapter; null when no worker was left and the coordinator did it. */
  computeId: number | null;
  /** true when the adapter equals the coordinator's own re-execution (or is it). */
  verified: boolean;
  trainedTokens: number;
}

export interface ComputePool {
  train(job: TrainingJob, sequences: readonly ScoredSequence[], options?: RunJobOptions): Promise<TrainJobReturnType>;
  credits(): ComputeCredit[];
  record(): ComputePoolRecord;
}

/**
 * Sends jobs to untrusted workers and accepts only what checks out. Each job goes to its
 * assigned worker (rankWorkers from publicSeed and jobId); the result must be for this job and
 * worker, signed by the worker's registered key, claim the trained tokens the job implies, and
 * name an adapter that the store returns under that root, in canonical form, with that hash.
 * Audited jobs (policy, publicSeed, jobId: isJobAudited) are re-executed and must match bit for bit.
 *
 * A result failing any check makes its worker faulty: it earns nothing (all its credit in this
 * pool is forfeited, which is what makes sampled verification worth fearing), later jobs skip it,
 * and the job goes to the next worker in its ranking, or to the coordinator's re-execution when
 * none is left. A worker that throws or times out is routed around the same way, without blame,
 * until it has failed maxWorkerFailures times. Training a job twice returns the first outcome.
 */
export function createComputePool(params: CreateComputePoolParameters): ComputePool {
  const verification = checkVerificationConfig(params.verification);
  const timeoutMs = params.workerTimeoutMs ?? 30 * 60_000;
  const maxFailures = params.maxWorkerFailures ?? 2;
  const log = params.logger?.child({ component: "compute-pool" });
  const workers = [...params.workers].sort((a, b) => a.computeId - b.computeId);
  workers.forEach((w, i) => {
    if (i > 0 && workers[i - 1].computeId === w.computeId) throw new ComputeError(`Worker ${w.computeId} is listed twice`, { hint: "Pass each registered worker once" });
    if (!/^0x[0-9a-fA-F]{64}$/.test(w.publicKey)) throw new ComputeError(`Worker ${w.computeId} has public key ${String(w.publicKey)}, not 32 bytes of hex`, { hint: "Pass the Ed25519 key registered on-chain" });
  });
  const state = new Map<number, WorkerRecord>(
    workers.map((w) => [w.computeId, { computeId: w.computeId, publicKey: w.publicKey.toLowerCase() as Hex, status: "active", failures: 0 }]),
  );
  const jobs = new Map<Hex, JobRecord>();
  if (params.resumeFrom) restore(params.resumeFrom);

  function restore(previous: ComputePoolRecord): void {
    if (previous.publicSeed !== String(params.publicSeed) || previous.verification.policy !== verification.policy || previous.verification.fraction !== verification.fraction) {
      throw new ComputeError("The record to resume from was made with another public seed or verification policy", {
        hint: "Resume only the same Forge's pool with the same seed and policy, or start without resumeFrom",
      });
    }
    for (const w of previous.workers) {
      const current = state.get(w.computeId);
      if (!current) continue; // no longer offered: nothing to carry over
      if (current.publicKey !== w.publicKey.toLowerCase()) {
        throw new ComputeError(`Worker ${w.computeId} has key ${current.publicKey} now but ${w.publicKey} in the record`, { hint: "Resume with the workers the record was made with" });
      }
      current.status = w.status;
      current.failures = w.failures;
      if (w.fault) current.fault = structuredClone(w.fault);
    }
    for (const rec of previous.jobs) {
      assertJobId(rec.job);
      const { suspect: _derived, ...kept } = structuredClone(rec);
      jobs.set(rec.job.jobId, kept);
    }
  }
  const inflight = new Map<Hex, Promise<TrainJobReturnType>>();
  const emit = (e: ComputePoolEvent) => params.onEvent?.(e);

  async function runOnWorker(worker: ComputeWorker, job: TrainingJob, sequences: readonly ScoredSequence[], outer?: AbortSignal): Promise<TrainingJobResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onOuterAbort = () => controller.abort(outer!.reason);
    const timeout = new Promise<never>((_, reject) => {
      // A worker that ignores its signal must not keep the caller waiting past an abort either.
      onOuterAbort = () => {
        controller.abort(outer!.reason);
        reject(outer!.reason);
      };
      timer = setTimeout(() => {
        const error = new WorkerTimeoutError(worker.computeId, job.jobId, timeoutMs);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    timeout.catch(() => undefined); // settled here only to lose or win the race below
    if (outer?.aborted) onOuterAbort();
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    try {
      const running = worker.run(job, sequences, { signal: controller.signal });
      running.catch(() => undefined); // it may lose the race; its late rejection is not news
      return await Promise.race([running, timeout]);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }

  async function referenceFor(rec: JobRecord, job: TrainingJob, sequences: readonly ScoredSequence[], cache: { ref?: ReexecuteReturnType }, signal?: AbortSignal) {
    if (cache.ref) return cache.ref;
    const ref = await params.reexecute(job, sequences, signal ? { signal } : {});
    const actual = `0x${hashAdapter(ggufToLoraAdapter(ref.adapterBytes))}`;
    if (actual !== ref.adapterHash) {
      throw new ComputeError(`The coordinator's re-execution of ${job.jobId} returned bytes hashing to ${actual}, not its adapterHash ${ref.adapterHash}`, {
        hint: "reexecute must return the adapter GGUF and hashAdapter of that adapter (use createReexecutor)",
      });
    }
    cache.ref = ref;
    rec.reexecution = { adapterHash: ref.adapterHash };
    emit({ type: "job-reexecuted", jobId: job.jobId, adapterHash: ref.adapterHash });
    return ref;
  }

  async function checkResult(
    worker: ComputeWorker,
    job: TrainingJob,
    result: TrainingJobResult,
    expectedTokens: number,
  ): Promise<{ ok: true; adapterBytes: Uint8Array } | { ok: false; reason: RejectionReason; detail: string }> {
    if (typeof result !== "object" || result === null) return { ok: false, reason: "malformed", detail: "the worker returned no result object" };
    if (result.jobId !== job.jobId) return { ok: false, reason: "job-id-mismatch", detail: `result is for job ${String(result.jobId)}` };
    if (result.computeId !== worker.computeId) return { ok: false, reason: "compute-id-mismatch", detail: `result names worker ${String(result.computeId)}` };
    const sig = verifyJobResult({ result, publicKey: state.get(worker.computeId)!.publicKey });
    if (!sig.valid) return { ok: false, reason: sig.reason, detail: sig.detail };
    if (result.trainedTokens !== expectedTokens) {
      return { ok: false, reason: "trained-tokens-mismatch", detail: `claims ${result.trainedTokens} trained tokens, the job trains ${expectedTokens}` };
    }
    const adapter = await checkAdapterResult({ store: params.store, job, adapterRoot: result.adapterRoot, adapterHash: result.adapterHash });
    if (!adapter.ok) return adapter;
    return { ok: true, adapterBytes: adapter.adapterBytes };
  }

  async function trainOnce(job: TrainingJob, sequences: readonly ScoredSequence[], signal?: AbortSignal): Promise<TrainJobReturnType> {
    const audited = isJobAudited({ jobId: job.jobId, publicSeed: params.publicSeed, verification });
    const ranking = rankWorkers({ jobId: job.jobId, publicSeed: params.publicSeed, workers });
    const expectedTokens = expectedTrainedTokens(job.hyper, sequences);
    const rec: JobRecord = {
      job: structuredClone(job) as TrainingJob,
      audited,
      ranking: ranking.map((w) => w.computeId),
      attempts: [],
      outcome: undefined as unknown as JobOutcome,
    };
    const cache: { ref?: ReexecuteReturnType } = {};
    const jlog = log?.child({ jobId: job.jobId });

    for (const worker of ranking) {
      const ws = state.get(worker.computeId)!;
      if (ws.status !== "active") continue;
      signal?.throwIfAborted();
      emit({ type: "job-assigned", jobId: job.jobId, computeId: worker.computeId, attempt: rec.attempts.length + 1 });
      jlog?.info({ computeId: worker.computeId, audited }, "job assigned");
      const started = Date.now();
      let result: TrainingJobResult;
      try {
        result = await runOnWorker(worker, job, sequences, signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const outcome = error instanceof WorkerTimeoutError ? "timed-out" : "failed";
        const detail = error instanceof Error ? error.message : String(error);
        rec.attempts.push({ computeId: worker.computeId, outcome, detail, ms: Date.now() - started });
        ws.failures++;
        emit({ type: "worker-failed", jobId: job.jobId, computeId: worker.computeId, outcome, detail });
        jlog?.warn({ computeId: worker.computeId, outcome, err: error }, "worker gave no result; routing around it");
        if (ws.failures >= maxFailures && ws.status === "active") {
          ws.status = "benched";
          emit({ type: "worker-benched", computeId: worker.computeId, failures: ws.failures });
        }
        continue;
      }

      let check = await checkResult(worker, job, result, expectedTokens);
      if (check.ok && audited) {
        const ref = await referenceFor(rec, job, sequences, cache, signal);
        if (ref.adapterHash !== result.adapterHash) {
          check = { ok: false, reason: "reexecution-mismatch", detail: `adapter ${result.adapterHash} differs from the re-executed ${ref.adapterHash}` };
        }
      }
      const ms = Date.now() - started;
      if (!check.ok) {
        rec.attempts.push({
          computeId: worker.computeId,
          outcome: "rejected",
          reason: check.reason,
          detail: check.detail,
          ...(typeof result?.adapterRoot === "string" ? { adapterRoot: result.adapterRoot } : {}),
          ...(typeof result?.adapterHash === "string" ? { adapterHash: result.adapterHash } : {}),
          ms,
        });
        ws.status = "faulty";
        ws.fault = { jobId: job.jobId, reason: check.reason, detail: check.detail };
        emit({ type: "result-rejected", jobId: job.jobId, computeId: worker.computeId, reason: check.reason, detail: check.detail });
        emit({ type: "worker-faulty", jobId: job.jobId, computeId: worker.computeId, reason: check.reason });
        jlog?.warn({ computeId: worker.computeId, reason: check.reason, detail: check.detail }, "result rejected; worker marked faulty, job redone");
        continue;
      }
      rec.attempts.push({ computeId: worker.computeId, outcome: "accepted", adapterRoot: result.adapterRoot, adapterHash: result.adapterHash, trainedTokens: result.trainedTokens, verified: audited, ms });
      rec.outcome = { by: "worker", computeId: worker.computeId, adapterRoot: result.adapterRoot, adapterHash: result.adapterHash, trainedTokens: result.trainedTokens, verified: audited };
      jobs.set(job.jobId, rec);
      emit({ type: "result-accepted", jobId: job.jobId, computeId: worker.computeId, verified: audited });
      jlog?.info({ computeId: worker.computeId, verified: audited, adapterRoot: result.adapterRoot }, "result accepted");
      return { jobId: job.jobId, adapterRoot: result.adapterRoot, adapterBytes: check.adapterBytes, adapterHash: result.adapterHash, computeId: worker.computeId, verified: audited, trainedTokens: result.trainedTokens };
    }

    // No worker left: the coordinator's own run is the result (it earns no one any credit).
    const ref = await referenceFor(rec, job, sequences, cache, signal);
    const { root } = await params.store.put(ref.adapterBytes);
    rec.outcome = { by: "coordinator", computeId: null, adapterRoot: root, adapterHash: ref.adapterHash, trainedTokens: expectedTokens, verified: true, reason: "no-worker-left" };
    jobs.set(job.jobId, rec);
    emit({ type: "job-done-by-coordinator", jobId: job.jobId });
    jlog?.warn({ adapterRoot: root }, "no worker left for the job; used the coordinator's own run");
    return { jobId: job.jobId, adapterRoot: root, adapterBytes: ref.adapterBytes, adapterHash: ref.adapterHash, computeId: null, verified: true, trainedTokens: expectedTokens };
  }

  return {
    async train(job, sequences, options) {
      assertJobId(job);
      assertJobSequences(job, sequences);
      const done = jobs.get(job.jobId);
      if (done) {
        return {
          jobId: job.jobId,
          adapterRoot: done.outcome.adapterRoot,
          adapterBytes: await params.store.get(done.outcome.adapterRoot),
          adapterHash: done.outcome.adapterHash,
          computeId: done.outcome.computeId,
          verified: done.outcome.verified,
          trainedTokens: done.outcome.trainedTokens,
        };
      }
      let running = inflight.get(job.jobId);
      if (!running) {
        running = trainOnce(job, sequences, options?.signal).finally(() => inflight.delete(job.jobId));
        inflight.set(job.jobId, running);
      }
      return running;
    },

    credits() {
      const out = new Map<number, ComputeCredit>(
        [...state.values()].map((w) => [w.computeId, { computeId: w.computeId, publicKey: w.publicKey, acceptedJobs: 0, verifiedJobs: 0, trainedTokens: 0, faulty: w.status === "faulty" }]),
      );
      for (const rec of jobs.values()) {
        if (rec.outcome.by !== "worker") continue;
        const c = out.get(rec.outcome.computeId)!;
        if (c.faulty) continue;
        c.acceptedJobs++;
        if (rec.outcome.verified) c.verifiedJobs++;
        c.trainedTokens += rec.outcome.trainedTokens;
      }
      return [...out.values()];
    },

    record() {
      const jobRecords = [...jobs.values()].map((rec) => {
        const copy = structuredClone(rec);
        if (rec.outcome.by === "worker" && !rec.outcome.verified && state.get(rec.outcome.computeId)!.status === "faulty") copy.suspect = true;
        return copy;
      });
      return {
        publicSeed: String(params.publicSeed),
        verification,
        workers: [...state.values()].map((w) => structuredClone(w)),
        jobs: jobRecords,
      };
    },
  };
}
