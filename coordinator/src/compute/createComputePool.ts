import type { Logger } from "pino";
import type { Hex } from "viem";
import { ggufToLoraAdapter } from "../eval/model/ggufToLoraAdapter.js";
import { hashAdapter } from "../eval/train/hashAdapter.js";
import type { ContentStore } from "../storage/types.js";
import { attributeJobResult } from "./attributeJobResult.js";
import { checkAdapterResult, type AdapterCheckReason } from "./checkAdapterResult.js";
import type { Reexecute, ReexecuteReturnType } from "./createReexecutor.js";
import { ComputeError, WorkerTimeoutError } from "./errors.js";
import { expectedTrainedTokens } from "./expectedTrainedTokens.js";
import { checkVerificationConfig, isJobAudited, type VerificationConfig, type VerificationPolicy } from "./isJobAudited.js";
import { assertJobId, assertJobSequences } from "./planTrainingJob.js";
import { defaultHealthPolicy } from "./policy/defaultHealthPolicy.js";
import { ASSIGNMENT_SCHEME } from "./policy/planAssignments.js";
import { rankWorkersWeighted } from "./policy/rankWorkersWeighted.js";
import { resultsAgree } from "./policy/resultsAgree.js";
import { tallyVotes, type Vote } from "./policy/tallyVotes.js";
import type { ComparatorRecord, HealthEvent, HealthPolicy, HealthScores, ResultComparator } from "./policy/types.js";
import { updateHealth } from "./policy/updateHealth.js";
import type { ComputeWorker, RunJobOptions, ScoredSequence, TrainingJob, TrainingJobResult } from "./types.js";

export type RejectionReason =
  | "malformed"
  | "job-id-mismatch"
  | "compute-id-mismatch"
  | "public-key-mismatch"
  | "bad-signature"
  | "trained-tokens-mismatch"
  | AdapterCheckReason
  /** Disagreed with the coordinator's own re-execution (verifyBy "reexecution", and records made before duplication). */
  | "reexecution-mismatch"
  /** Outvoted: verification settled the job on a result this one disagrees with. */
  | "verification-mismatch";

/**
 * Why an execution ran: `primary` is the job's first active worker; `duplicate` is any later
 * distinct worker of the ranking that ran it again to verify it (the second, or the third that
 * settles a mismatch).
 */
export type AttemptRole = "primary" | "duplicate";

/** One try of a job on one worker. */
export type AttemptRecord =
  | { computeId: number; outcome: "accepted"; adapterRoot: Hex; adapterHash: Hex; trainedTokens: number; verified: boolean; ms: number; role?: AttemptRole; metric?: number }
  | { computeId: number; outcome: "rejected"; reason: RejectionReason; detail: string; adapterRoot?: string; adapterHash?: string; ms: number; role?: AttemptRole; metric?: number }
  | { computeId: number; outcome: "failed" | "timed-out"; detail: string; ms: number; role?: AttemptRole }
  /**
   * An answer the worker's key did not sign for this job (attributeJobResult): someone holding its
   * transport credentials sent it. Dropped, the job goes on to the next worker, and nothing is
   * held against the worker: no fault, no health change, no lost credit (it counts towards
   * maxWorkerFailures like an attempt that gave no answer).
   */
  | { computeId: number; outcome: "dropped"; reason: RejectionReason; detail: string; ms: number; role?: AttemptRole };

export type JobOutcome =
  | { by: "worker"; computeId: number; adapterRoot: Hex; adapterHash: Hex; trainedTokens: number; verified: boolean }
  | { by: "coordinator"; computeId: null; adapterRoot: Hex; adapterHash: Hex; trainedTokens: number; verified: true; reason: "no-worker-left" };

export interface JobRecord {
  job: TrainingJob;
  /** Verified before its result is trusted (from the policy, publicSeed and jobId: isJobAudited). */
  audited: boolean;
  /**
   * computeIds in the job's weighted rendezvous order (rankWorkersWeighted with the record's
   * plan.health; planAssignments rebuilds it); attempts follow it, skipping inactive workers.
   */
  ranking: number[];
  /** In the order they ran; a verified job has the primary and its duplicates here. */
  attempts: AttemptRecord[];
  /** The coordinator's own result, when it re-executed the job (no distinct worker left to verify with, or none left at all). */
  reexecution?: { adapterHash: Hex; metric?: number };
  outcome: JobOutcome;
  /** Accepted unaudited from a worker that was caught cheating later: re-execute before relying on it. */
  suspect?: boolean;
}

export type WorkerStatus = "active" | "faulty" | "benched";

export interface WorkerRecord {
  computeId: number;
  publicKey: Hex;
  status: WorkerStatus;
  /** Health score in [minHealth, 1] after this pool's jobs so far (absent in records made before health scores: read as 1). */
  health?: number;
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
  /**
   * What the jobs' rankings were computed from: the scheme and the health scores at the pool's
   * start (its prior), by computeId. planAssignments({ publicSeed, jobIds, workers, health }) on
   * these rebuilds every job's `ranking`. Absent in older records (equal weights: the same order as rankWorkers).
   */
  plan?: { scheme: typeof ASSIGNMENT_SCHEME; health: Record<string, number> };
  /** How duplicate executions were compared (absent in older records: exact). */
  comparator?: ComparatorRecord;
  /** Who verified audited jobs (absent in older records: the coordinator's re-execution). */
  verifyBy?: VerifyBy;
}

/**
 * Who verifies an audited job: `duplicate` (default) runs it again on the next distinct worker of
 * its ranking, a third settling a mismatch, and the coordinator re-executes only when no distinct
 * worker is left; `reexecution` has the coordinator re-execute every audited job itself.
 */
export type VerifyBy = "duplicate" | "reexecution";

export interface ComputeCredit {
  computeId: number;
  publicKey: Hex;
  /** Jobs whose result the pool accepted (verified by re-execution or, unaudited, by all other checks). */
  acceptedJobs: number;
  verifiedJobs: number;
  /** Verified work: trained tokens of accepted jobs; 0 for a worker caught returning a wrong result. */
  trainedTokens: number;
  faulty: boolean;
  /** Set by createComputePool (optional for other ComputePool implementations). Other workers' jobs this one duplicated to verify them, agreeing with the accepted result (0 for a faulty worker). */
  duplicateJobs?: number;
  /** Trained tokens of those duplicate executions: verification work, paid like trainedTokens or not as the Forge decides. */
  duplicateTokens?: number;
}

export type ComputePoolEvent =
  | { type: "job-assigned"; jobId: Hex; computeId: number; attempt: number; role?: AttemptRole }
  | { type: "result-accepted"; jobId: Hex; computeId: number; verified: boolean }
  | { type: "result-rejected"; jobId: Hex; computeId: number; reason: RejectionReason; detail: string }
  | { type: "worker-failed"; jobId: Hex; computeId: number; outcome: "failed" | "timed-out"; detail: string }
  /** An answer under the worker's identity that its key did not sign: its transport token (NATS credentials, queue access) is in someone else's hands. */
  | { type: "transport-compromised"; jobId: Hex; computeId: number; reason: RejectionReason; detail: string }
  | { type: "worker-faulty"; jobId: Hex; computeId: number; reason: RejectionReason }
  | { type: "worker-benched"; computeId: number; failures: number }
  | { type: "job-reexecuted"; jobId: Hex; adapterHash: Hex }
  | { type: "job-done-by-coordinator"; jobId: Hex }
  | { type: "verification-mismatch"; jobId: Hex; computeIds: (number | null)[] }
  | { type: "health-changed"; computeId: number; from: number; to: number; cause: HealthEvent };

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
  /**
   * Health scores to start from, by computeId (e.g. healthFromRecord of the same workers' last
   * pool); missing workers start at healthPolicy.initial. They weight the assignment (the plan) and
   * are recorded with it. Ignored when resuming: the record's plan and scores are used.
   */
  health?: HealthScores;
  /** How health scores move (defaults: see HealthPolicy). */
  healthPolicy?: Partial<HealthPolicy>;
  /** How two executions of an audited job are compared (default exact: bit-equal adapter hashes). */
  comparator?: ResultComparator;
  /** Who verifies audited jobs (default duplicate: another worker; see VerifyBy). */
  verifyBy?: VerifyBy;
}

export interface TrainJobReturnType {
  jobId: Hex;
  adapterRoot: Hex;
  adapterBytes: Uint8Array;
  adapterHash: Hex;
  /** Who trained the accepted adapter; null when no worker was left and the coordinator did it. */
  computeId: number | null;
  /** true when verification confirmed the adapter (another execution agreed with it, or it is the coordinator's own). */
  verified: boolean;
  trainedTokens: number;
}

export interface ComputePool {
  train(job: TrainingJob, sequences: readonly ScoredSequence[], options?: RunJobOptions): Promise<TrainJobReturnType>;
  credits(): ComputeCredit[];
  record(): ComputePoolRecord;
}

/**
 * Sends jobs to untrusted workers and accepts only what checks out. Each job goes to the first
 * active worker of its ranking (rankWorkersWeighted: weighted rendezvous from publicSeed, jobId and
 * the health scores the pool started with — a plan anyone can replay with planAssignments). The
 * result must be for this job and worker, signed by the worker's registered key, claim the trained
 * tokens the job implies, and name an adapter that the store returns under that root, in canonical
 * form, with that hash. Audited jobs (policy, publicSeed, jobId: isJobAudited) are run again on the
 * next distinct worker of the ranking and the two compared (comparator: bit-exact hashes, or the
 * coordinator's holdout metric within a tolerance); a mismatch is settled by a third distinct
 * worker, or by the coordinator's own re-execution when none is left, and the majority wins.
 *
 * An answer that the worker's registered key did not sign over this job (attributeJobResult) proves
 * nothing about the worker, only that someone else holds its transport credentials: it is dropped,
 * reported (a `transport-compromised` event and an error log), and the job goes on to the next
 * worker without any mark against this one. A signed result failing any other check, or outvoted,
 * makes its worker faulty: it earns nothing (all its
 * credit in this pool is forfeited, which is what makes sampled verification worth fearing), its
 * health drops, later jobs skip it, and the job goes on to the next worker. A worker that throws or
 * times out is routed around the same way, with a smaller health drop, until it has failed
 * maxWorkerFailures times. Training a job twice returns the first outcome.
 */
export function createComputePool(params: CreateComputePoolParameters): ComputePool {
  const verification = checkVerificationConfig(params.verification);
  const timeoutMs = params.workerTimeoutMs ?? 30 * 60_000;
  const maxFailures = params.maxWorkerFailures ?? 2;
  const healthPolicy = defaultHealthPolicy(params.healthPolicy);
  const comparator = checkComparator(params.comparator ?? { kind: "exact" });
  const comparatorRecord: ComparatorRecord = comparator.kind === "exact" ? { kind: "exact" } : { kind: "metric", tolerance: comparator.tolerance };
  const verifyBy: VerifyBy = params.verifyBy ?? "duplicate";
  if (verifyBy !== "duplicate" && verifyBy !== "reexecution") throw new ComputeError(`Unknown verifyBy ${JSON.stringify(verifyBy)}`, { hint: 'Use "duplicate" or "reexecution"' });
  const log = params.logger?.child({ component: "compute-pool" });
  const workers = [...params.workers].sort((a, b) => a.computeId - b.computeId);
  workers.forEach((w, i) => {
    if (i > 0 && workers[i - 1].computeId === w.computeId) throw new ComputeError(`Worker ${w.computeId} is listed twice`, { hint: "Pass each registered worker once" });
    if (!/^0x[0-9a-fA-F]{64}$/.test(w.publicKey)) throw new ComputeError(`Worker ${w.computeId} has public key ${String(w.publicKey)}, not 32 bytes of hex`, { hint: "Pass the Ed25519 key registered on-chain" });
  });
  const prior = (computeId: number, from: HealthScores | undefined) => {
    const h = from?.[String(computeId)] ?? healthPolicy.initial;
    if (!(h >= 0 && h <= 1)) throw new ComputeError(`Worker ${computeId} has health ${String(h)}, not in [0, 1]`, { hint: "Pass health scores from a pool record or a prior in range" });
    return h;
  };
  // The weights every ranking of this pool uses: fixed at the start, so the plan does not depend on
  // the order jobs finish in. Health earned here weights the next pool (healthFromRecord).
  let planHealth: Record<string, number> = Object.fromEntries(workers.map((w) => [String(w.computeId), prior(w.computeId, params.health)]));
  const state = new Map<number, WorkerRecord & { health: number }>(
    workers.map((w) => [w.computeId, { computeId: w.computeId, publicKey: w.publicKey.toLowerCase() as Hex, status: "active", health: planHealth[String(w.computeId)], failures: 0 }]),
  );
  const jobs = new Map<Hex, JobRecord>();
  if (params.resumeFrom) restore(params.resumeFrom);

  function restore(previous: ComputePoolRecord): void {
    if (previous.publicSeed !== String(params.publicSeed) || previous.verification.policy !== verification.policy || previous.verification.fraction !== verification.fraction) {
      throw new ComputeError("The record to resume from was made with another public seed or verification policy", {
        hint: "Resume only the same Forge's pool with the same seed and policy, or start without resumeFrom",
      });
    }
    const prevComparator = previous.comparator ?? { kind: "exact" };
    if (prevComparator.kind !== comparatorRecord.kind || (prevComparator.kind === "metric" && comparatorRecord.kind === "metric" && prevComparator.tolerance !== comparatorRecord.tolerance)) {
      throw new ComputeError(`The record to resume from compared results by ${JSON.stringify(prevComparator)}, this pool by ${JSON.stringify(comparatorRecord)}`, {
        hint: "Resume with the comparator the record was made with",
      });
    }
    if (previous.verifyBy !== undefined && previous.verifyBy !== verifyBy) {
      throw new ComputeError(`The record to resume from verified by ${previous.verifyBy}, this pool by ${verifyBy}`, { hint: "Resume with the verifyBy the record was made with" });
    }
    // The plan stays the record's: the remaining jobs rank as they would have without the restart.
    const recorded = previous.plan?.health;
    planHealth = Object.fromEntries(workers.map((w) => [String(w.computeId), recorded ? prior(w.computeId, recorded) : healthPolicy.initial]));
    for (const current of state.values()) current.health = planHealth[String(current.computeId)];
    for (const w of previous.workers) {
      const current = state.get(w.computeId);
      if (!current) continue; // no longer offered: nothing to carry over
      if (current.publicKey !== w.publicKey.toLowerCase()) {
        throw new ComputeError(`Worker ${w.computeId} has key ${current.publicKey} now but ${w.publicKey} in the record`, { hint: "Resume with the workers the record was made with" });
      }
      current.status = w.status;
      current.failures = w.failures;
      if (w.health !== undefined) current.health = prior(w.computeId, { [String(w.computeId)]: w.health });
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

  function moveHealth(ws: WorkerRecord & { health: number }, cause: HealthEvent): void {
    const from = ws.health;
    ws.health = updateHealth(from, cause, healthPolicy);
    if (ws.health !== from) emit({ type: "health-changed", computeId: ws.computeId, from, to: ws.health, cause });
  }

  function markFaulty(ws: WorkerRecord & { health: number }, jobId: Hex, reason: RejectionReason, detail: string): void {
    ws.status = "faulty";
    ws.fault = { jobId, reason, detail };
    moveHealth(ws, "fault");
    emit({ type: "result-rejected", jobId, computeId: ws.computeId, reason, detail });
    emit({ type: "worker-faulty", jobId, computeId: ws.computeId, reason });
  }

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
  ): Promise<{ ok: true; adapterBytes: Uint8Array } | { ok: false; attributable: boolean; reason: RejectionReason; detail: string }> {
    // First who sent it: only an answer signed by the worker's key over this job counts against it.
    const from = attributeJobResult({ result, publicKey: state.get(worker.computeId)!.publicKey, jobId: job.jobId, computeId: worker.computeId });
    if (!from.attributable) return { ok: false, attributable: false, reason: from.reason, detail: from.detail };
    if (result.trainedTokens !== expectedTokens) {
      return { ok: false, attributable: true, reason: "trained-tokens-mismatch", detail: `claims ${result.trainedTokens} trained tokens, the job trains ${expectedTokens}` };
    }
    const adapter = await checkAdapterResult({ store: params.store, job, adapterRoot: result.adapterRoot, adapterHash: result.adapterHash });
    if (!adapter.ok) return { ...adapter, attributable: true };
    return { ok: true, adapterBytes: adapter.adapterBytes };
  }

  /** An execution that passed checks 1–4, waiting for verification to settle; `attempt` is its slot in rec.attempts. */
  interface Execution {
    vote: Vote;
    adapterRoot: Hex;
    adapterBytes: Uint8Array;
    trainedTokens: number;
    attempt: number;
    ms: number;
    role: AttemptRole;
  }

  async function trainOnce(job: TrainingJob, sequences: readonly ScoredSequence[], signal?: AbortSignal): Promise<TrainJobReturnType> {
    const audited = isJobAudited({ jobId: job.jobId, publicSeed: params.publicSeed, verification });
    const ranking = rankWorkersWeighted({ jobId: job.jobId, publicSeed: params.publicSeed, workers, health: planHealth });
    const expectedTokens = expectedTrainedTokens(job.hyper, sequences);
    const rec: JobRecord = {
      job: structuredClone(job) as TrainingJob,
      audited,
      ranking: ranking.map((w) => w.computeId),
      attempts: [],
      outcome: undefined as unknown as JobOutcome,
    };
    const cache: { ref?: ReexecuteReturnType } = {};
    const metrics = new Map<Hex, number>();
    const jlog = log?.child({ jobId: job.jobId });
    let next = 0;

    const metricOf = async (adapterHash: Hex, adapterRoot: Hex): Promise<number | undefined> => {
      if (comparator.kind !== "metric") return undefined;
      let m = metrics.get(adapterHash);
      if (m === undefined) {
        m = await comparator.evaluate(adapterRoot);
        if (typeof m !== "number" || !Number.isFinite(m)) {
          throw new ComputeError(`The comparator's evaluate returned ${String(m)} for adapter ${adapterRoot}`, { hint: "evaluate must return a finite holdout metric for every adapter the store holds" });
        }
        metrics.set(adapterHash, m);
      }
      return m;
    };

    /** The next active, untried worker of the ranking that returns a result passing checks 1–4; undefined when none is left. */
    async function nextExecution(role: AttemptRole): Promise<Execution | undefined> {
      while (next < ranking.length) {
        const worker = ranking[next++];
        const ws = state.get(worker.computeId)!;
        if (ws.status !== "active") continue;
        signal?.throwIfAborted();
        emit({ type: "job-assigned", jobId: job.jobId, computeId: worker.computeId, attempt: rec.attempts.length + 1, role });
        jlog?.info({ computeId: worker.computeId, audited, role }, role === "primary" ? "job assigned" : "job duplicated for verification");
        const started = Date.now();
        let result: TrainingJobResult;
        try {
          result = await runOnWorker(worker, job, sequences, signal);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          const outcome = error instanceof WorkerTimeoutError ? "timed-out" : "failed";
          const detail = error instanceof Error ? error.message : String(error);
          rec.attempts.push({ computeId: worker.computeId, outcome, detail, ms: Date.now() - started, role });
          ws.failures++;
          moveHealth(ws, outcome);
          emit({ type: "worker-failed", jobId: job.jobId, computeId: worker.computeId, outcome, detail });
          jlog?.warn({ computeId: worker.computeId, outcome, err: error }, "worker gave no result; routing around it");
          if (ws.failures >= maxFailures && ws.status === "active") {
            ws.status = "benched";
            emit({ type: "worker-benched", computeId: worker.computeId, failures: ws.failures });
          }
          continue;
        }
        const check = await checkResult(worker, job, result, expectedTokens);
        const ms = Date.now() - started;
        if (!check.ok && !check.attributable) {
          rec.attempts.push({ computeId: worker.computeId, outcome: "dropped", reason: check.reason, detail: check.detail, ms, role });
          emit({ type: "transport-compromised", jobId: job.jobId, computeId: worker.computeId, reason: check.reason, detail: check.detail });
          jlog?.error(
            { computeId: worker.computeId, reason: check.reason, detail: check.detail },
            `an answer under worker ${worker.computeId}'s identity was not signed by its key: its transport token may be stolen. Dropped, not held against the worker; revoke and reissue its token`,
          );
          // No answer came from the worker: like one that gave none, it counts towards benching (a
          // channel that delivers forgeries is not worth more jobs, and a worker that can tell an
          // audited job must not dodge it for free), but no fault, no health change, no lost credit.
          ws.failures++;
          if (ws.failures >= maxFailures && ws.status === "active") {
            ws.status = "benched";
            emit({ type: "worker-benched", computeId: worker.computeId, failures: ws.failures });
          }
          continue;
        }
        if (!check.ok) {
          rec.attempts.push({
            computeId: worker.computeId,
            outcome: "rejected",
            reason: check.reason,
            detail: check.detail,
            ...(typeof result?.adapterRoot === "string" ? { adapterRoot: result.adapterRoot } : {}),
            ...(typeof result?.adapterHash === "string" ? { adapterHash: result.adapterHash } : {}),
            ms,
            role,
          });
          markFaulty(ws, job.jobId, check.reason, check.detail);
          jlog?.warn({ computeId: worker.computeId, reason: check.reason, detail: check.detail }, "result rejected; worker marked faulty, job redone");
          continue;
        }
        const attempt = rec.attempts.length;
        // A placeholder in running order; settled (accepted or outvoted) once verification decides.
        rec.attempts.push({ computeId: worker.computeId, outcome: "accepted", adapterRoot: result.adapterRoot, adapterHash: result.adapterHash, trainedTokens: result.trainedTokens, verified: false, ms, role });
        return { vote: { computeId: worker.computeId, adapterHash: result.adapterHash }, adapterRoot: result.adapterRoot, adapterBytes: check.adapterBytes, trainedTokens: result.trainedTokens, attempt, ms, role };
      }
      return undefined;
    }

    /** The coordinator's own run as a vote (and, stored, as a possible outcome). */
    async function coordinatorExecution(): Promise<Execution> {
      const ref = await referenceFor(rec, job, sequences, cache, signal);
      const { root } = await params.store.put(ref.adapterBytes);
      return { vote: { computeId: null, adapterHash: ref.adapterHash }, adapterRoot: root, adapterBytes: ref.adapterBytes, trainedTokens: expectedTokens, attempt: -1, ms: 0, role: "duplicate" };
    }

    const done = (e: Execution, verified: boolean): TrainJobReturnType => {
      if (e.vote.computeId === null) {
        rec.outcome = { by: "coordinator", computeId: null, adapterRoot: e.adapterRoot, adapterHash: e.vote.adapterHash, trainedTokens: expectedTokens, verified: true, reason: "no-worker-left" };
        jobs.set(job.jobId, rec);
        emit({ type: "job-done-by-coordinator", jobId: job.jobId });
        jlog?.warn({ adapterRoot: e.adapterRoot }, "no worker left for the job; used the coordinator's own run");
        return { jobId: job.jobId, adapterRoot: e.adapterRoot, adapterBytes: e.adapterBytes, adapterHash: e.vote.adapterHash, computeId: null, verified: true, trainedTokens: expectedTokens };
      }
      rec.outcome = { by: "worker", computeId: e.vote.computeId, adapterRoot: e.adapterRoot, adapterHash: e.vote.adapterHash, trainedTokens: e.trainedTokens, verified };
      jobs.set(job.jobId, rec);
      emit({ type: "result-accepted", jobId: job.jobId, computeId: e.vote.computeId, verified });
      jlog?.info({ computeId: e.vote.computeId, verified, adapterRoot: e.adapterRoot }, "result accepted");
      return { jobId: job.jobId, adapterRoot: e.adapterRoot, adapterBytes: e.adapterBytes, adapterHash: e.vote.adapterHash, computeId: e.vote.computeId, verified, trainedTokens: e.trainedTokens };
    };

    const primary = await nextExecution("primary");
    // No worker left: the coordinator's own run is the result (it earns no one any credit).
    if (!primary) return done(await coordinatorExecution(), true);
    if (!audited) return done(primary, false);

    const executions: Execution[] = [primary];
    primary.vote.metric = await metricOf(primary.vote.adapterHash, primary.adapterRoot);
    const agree = (a: Vote, b: Vote) => resultsAgree(comparatorRecord, a, b);
    const coordinatorVoted = () => executions.some((e) => e.vote.computeId === null);
    for (;;) {
      let more: Execution | undefined;
      if (verifyBy === "duplicate") more = await nextExecution("duplicate");
      // reexecution: the coordinator's run is the reference; a worker it outvoted hands the job to the next one.
      else if (coordinatorVoted()) more = await nextExecution("primary");
      if (!more && !coordinatorVoted()) more = await coordinatorExecution();
      if (more) {
        more.vote.metric = await metricOf(more.vote.adapterHash, more.adapterRoot);
        if (more.vote.computeId === null && more.vote.metric !== undefined) rec.reexecution = { adapterHash: more.vote.adapterHash, metric: more.vote.metric };
        executions.push(more);
      }
      const tally = tallyVotes({ votes: executions.map((e) => e.vote), agree });
      if (!tally.decided) {
        emit({ type: "verification-mismatch", jobId: job.jobId, computeIds: executions.map((e) => e.vote.computeId) });
        jlog?.warn({ computeIds: executions.map((e) => e.vote.computeId) }, "executions disagree; running the job once more to settle it");
        continue;
      }
      // Only the coordinator's run stands: with reexecution, give the next worker its chance first.
      if (more && executions[tally.winner].vote.computeId === null && verifyBy === "reexecution") continue;
      const winner = executions[tally.winner];
      for (const [i, e] of executions.entries()) {
        if (e.vote.computeId === null) continue;
        const ws = state.get(e.vote.computeId)!;
        const metric = e.vote.metric !== undefined ? { metric: e.vote.metric } : {};
        if (tally.agreeing.includes(i)) {
          rec.attempts[e.attempt] = { ...(rec.attempts[e.attempt] as Extract<AttemptRecord, { outcome: "accepted" }>), verified: true, ...metric };
          moveHealth(ws, "verified");
        } else {
          const detail = `adapter ${e.vote.adapterHash} disagrees with the accepted ${winner.vote.adapterHash} (${winner.vote.computeId === null ? "the coordinator's re-execution" : `worker ${winner.vote.computeId}`}${comparator.kind === "metric" ? `; metrics ${e.vote.metric} vs ${winner.vote.metric}, tolerance ${comparator.tolerance}` : ""})`;
          const reason = verifyBy === "reexecution" ? "reexecution-mismatch" : "verification-mismatch";
          rec.attempts[e.attempt] = { computeId: e.vote.computeId, outcome: "rejected", reason, detail, adapterRoot: e.adapterRoot, adapterHash: e.vote.adapterHash, ms: e.ms, role: e.role, ...metric };
          markFaulty(ws, job.jobId, reason, detail);
          jlog?.warn({ computeId: e.vote.computeId, detail }, "result outvoted; worker marked faulty");
        }
      }
      return done(winner, true);
    }
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
        [...state.values()].map((w) => [
          w.computeId,
          { computeId: w.computeId, publicKey: w.publicKey, acceptedJobs: 0, verifiedJobs: 0, trainedTokens: 0, faulty: w.status === "faulty", duplicateJobs: 0, duplicateTokens: 0 },
        ]),
      );
      for (const rec of jobs.values()) {
        for (const a of rec.attempts) {
          // A verified execution that agreed with the accepted result but is not it: verification work.
          if (a.outcome !== "accepted" || a.computeId === rec.outcome.computeId) continue;
          const c = out.get(a.computeId);
          if (!c || c.faulty) continue;
          c.duplicateJobs = (c.duplicateJobs ?? 0) + 1;
          c.duplicateTokens = (c.duplicateTokens ?? 0) + a.trainedTokens;
        }
        if (rec.outcome.by !== "worker") continue;
        const c = out.get(rec.outcome.computeId);
        if (!c || c.faulty) continue;
        c.acceptedJobs++;
        if (rec.outcome.verified) c.verifiedJobs++;
        c.trainedTokens += rec.outcome.trainedTokens;
      }
      return [...out.values()];
    },

    record() {
      const jobRecords = [...jobs.values()].map((rec) => {
        const copy = structuredClone(rec);
        if (rec.outcome.by === "worker" && !rec.outcome.verified && state.get(rec.outcome.computeId)?.status === "faulty") copy.suspect = true;
        return copy;
      });
      return {
        publicSeed: String(params.publicSeed),
        verification,
        workers: [...state.values()].map((w) => structuredClone(w)),
        jobs: jobRecords,
        plan: { scheme: ASSIGNMENT_SCHEME, health: { ...planHealth } },
        comparator: comparatorRecord,
        verifyBy,
      };
    },
  };
}

function checkComparator(c: ResultComparator): ResultComparator {
  if (c.kind === "exact") return c;
  if (c.kind === "metric") {
    if (!(Number.isFinite(c.tolerance) && c.tolerance >= 0)) throw new ComputeError(`A metric comparator needs a finite tolerance ≥ 0 (got ${String(c.tolerance)})`, { hint: "State the tolerance, e.g. 1e-3 of mean holdout NLL" });
    if (typeof c.evaluate !== "function") throw new ComputeError("A metric comparator needs evaluate(adapterRoot)", { hint: "Pass the coordinator's holdout evaluation" });
    return c;
  }
  throw new ComputeError(`Unknown comparator kind ${JSON.stringify((c as { kind: unknown }).kind)}`, { hint: 'Use { kind: "exact" } or { kind: "metric", tolerance, evaluate }' });
}
