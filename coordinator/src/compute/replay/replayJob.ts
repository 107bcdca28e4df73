import { readFile } from "node:fs/promises";
import type { Hex } from "viem";
import { ggufToModel } from "../../eval/model/ggufToModel.js";
import { createTokenizer } from "../../eval/tokenizer/createTokenizer.js";
import { computeContentRoot } from "../../storage/computeContentRoot.js";
import type { ContentStore } from "../../storage/types.js";
import type { ComputePoolRecord, JobOutcome } from "../createComputePool.js";
import { computeJobId } from "../planTrainingJob.js";
import { trainJobAdapter } from "../trainJobAdapter.js";
import type { RunJobOptions, ScoredSequence, TrainingJob } from "../types.js";
import { ReplayJobError } from "./errors.js";
import { sequencesForJob } from "./sequencesForJob.js";

export interface ReplayJobParameters {
  /** The pool's record (`pool.record()`, or `compute.jobs` of an attribution log). */
  record: ComputePoolRecord;
  jobId: Hex | string;
  /** Where the base is found by root (when no baseModelPath) and the recorded adapter is looked up. */
  store: ContentStore;
  /** The base model GGUF on disk; it must be the one the job names (its root is checked). */
  baseModelPath?: string;
  /** Tokenized sequences with example hashes as ids (a superset of the job's is fine). */
  sequences?: readonly ScoredSequence[];
  /** Raw data contribution files (JSONL): the job's examples are found by hash and re-tokenized. */
  datasets?: readonly Uint8Array[];
  signal?: RunJobOptions["signal"];
}

export interface ReplayedAdapter {
  adapterRoot: Hex;
  adapterHash: Hex;
  trainedTokens: number;
}

export interface ReplayJobReturnType {
  /** The deterministic trainer reproduced the recorded accepted result: same adapter hash, root and trained tokens. */
  reproduced: boolean;
  jobId: Hex;
  job: TrainingJob;
  /** The record's final outcome for the job (who trained it, what was accepted). */
  recorded: JobOutcome & { audited: boolean; reexecutionHash?: Hex; suspect?: boolean };
  replayed: ReplayedAdapter;
  matches: { adapterHash: boolean; adapterRoot: boolean; trainedTokens: boolean };
  /** Where the training sequences came from; `bound` when the job's sequencesHash proved them. */
  sequences: { source: "supplied" | "re-tokenized"; bound: boolean; count: number };
  /** Whether the store still holds the recorded adapter, and whether it is byte-for-byte the replayed one. */
  storedAdapter: "same-bytes" | "different-bytes" | "missing";
  ms: number;
}

/**
 * Re-executes one job of a compute pool record with the deterministic trainer (trainJobAdapter,
 * the same run workers and the coordinator's re-execution use) and compares the adapter with
 * the result the pool accepted. The record holds the job's fields (hash-checked against its
 * jobId) but not its tokens, so the sequences come from `sequences` or are re-tokenized from
 * the raw `datasets`; with a sequencesHash in the job they are proven to be the planned ones.
 *
 * Only results of the deterministic trainer reproduce bit for bit: a job accepted from an
 * external (GPU) trainer is expected to differ here and is judged by its holdout metric.
 */
export async function replayJob(params: ReplayJobParameters): Promise<ReplayJobReturnType> {
  const started = Date.now();
  const wanted = params.jobId.toLowerCase();
  const rec = params.record.jobs.find((j) => j.job.jobId.toLowerCase() === wanted);
  if (!rec) {
    throw new ReplayJobError("job-not-found", wanted, `The record has no job ${wanted} (it has ${params.record.jobs.length})`, { hint: "Pass a jobId from the record's jobs[].job.jobId" });
  }
  const job = rec.job;
  const actualId = computeJobId(job);
  if (actualId !== job.jobId) {
    throw new ReplayJobError("record-altered", job.jobId, `The recorded job's fields hash to ${actualId}, not its jobId ${job.jobId}: the record was altered`, {
      hint: "Replay from the record as the pool wrote it (e.g. the attribution log fetched by its on-chain root)",
    });
  }

  let baseBytes: Uint8Array;
  if (params.baseModelPath) {
    baseBytes = new Uint8Array(await readFile(params.baseModelPath));
    const root = await computeContentRoot(baseBytes);
    if (root !== job.baseModelRoot.toLowerCase()) {
      throw new ReplayJobError("base-mismatch", job.jobId, `${params.baseModelPath} has root ${root}; the job trains on ${job.baseModelRoot}`, { hint: "Pass the job's base model GGUF" });
    }
  } else {
    baseBytes = await params.store.get(job.baseModelRoot);
  }
  const model = ggufToModel(baseBytes);
  const found = sequencesForJob({
    job,
    ...(params.sequences ? { sequences: params.sequences } : {}),
    ...(params.datasets ? { datasets: params.datasets, tokenizer: createTokenizer(model.tokenizer) } : {}),
  });

  params.signal?.throwIfAborted();
  const trained = await trainJobAdapter({ model, job, sequences: found.sequences, ...(params.signal ? { signal: params.signal } : {}) });
  const replayed: ReplayedAdapter = { adapterRoot: await computeContentRoot(trained.adapterBytes), adapterHash: trained.adapterHash, trainedTokens: trained.trainedTokens };

  const outcome = rec.outcome;
  const matches = {
    adapterHash: replayed.adapterHash === outcome.adapterHash.toLowerCase(),
    adapterRoot: replayed.adapterRoot === outcome.adapterRoot.toLowerCase(),
    trainedTokens: replayed.trainedTokens === outcome.trainedTokens,
  };
  let storedAdapter: ReplayJobReturnType["storedAdapter"] = "missing";
  if (await params.store.has(outcome.adapterRoot)) {
    try {
      const stored = await params.store.get(outcome.adapterRoot);
      storedAdapter = Buffer.from(stored).equals(Buffer.from(trained.adapterBytes)) ? "same-bytes" : "different-bytes";
    } catch {
      storedAdapter = "missing"; // unreadable or not what its root says: the store does not hold it
    }
  }
  return {
    reproduced: matches.adapterHash && matches.adapterRoot && matches.trainedTokens,
    jobId: job.jobId,
    job,
    recorded: {
      ...outcome,
      audited: rec.audited,
      ...(rec.reexecution ? { reexecutionHash: rec.reexecution.adapterHash } : {}),
      ...(rec.suspect ? { suspect: true } : {}),
    },
    replayed,
    matches,
    sequences: { source: found.source, bound: found.bound, count: found.sequences.length },
    storedAdapter,
    ms: Date.now() - started,
  };
}
