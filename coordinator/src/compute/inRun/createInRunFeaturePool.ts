import type { Address, Hex } from "viem";
import type { InRunFeatureSource } from "../../eval/attribution/createInRunRunner.js";
import type { Qwen2Model } from "../../eval/model/types.js";
import { rankWorkers } from "../assignWorker.js";
import { isJobAudited, type VerificationConfig } from "../isJobAudited.js";
import { checkInRunResult } from "./checkInRunResult.js";
import { planInRunJob } from "./planInRunJob.js";
import { runInRunJob, type RunInRunJobReturnType } from "./runInRunJob.js";
import type { InRunJob, InRunJobResult, InRunWorker } from "./types.js";

export interface InRunAttemptRecord {
  computeId: number;
  role: "primary" | "duplicate";
  outcome: "accepted" | "rejected" | "failed" | "outvoted";
  reason?: string;
  featuresHash?: Hex;
}

export interface InRunJobRecord {
  jobId: Hex;
  audited: boolean;
  attempts: InRunAttemptRecord[];
  /** The coordinator ran the job itself (no worker left, or to settle a disagreement). */
  reexecuted: boolean;
  /** Whose features were used (null: the coordinator's own run). */
  accepted: { computeId: number | null; featuresHash: Hex; adapterHash: Hex; trainedTokens: number };
}

export interface CreateInRunFeaturePoolParameters {
  workers: readonly InRunWorker[];
  publicSeed: Hex | string;
  forge: Address;
  baseModelRoot: Hex;
  /** The base as the trainer reads it, for the coordinator's own execution (the deciding vote). */
  model: Qwen2Model;
  /** Default full: an in-run job is one per training seed, so duplicating each costs one more run. */
  verification?: VerificationConfig;
}

export interface InRunFeaturePool {
  /** The feature source createInRunRunner takes. */
  features: InRunFeatureSource;
  /** Every in-run job with its attempts, for the attribution record. */
  record(): InRunJobRecord[];
  /** Workers caught returning a result that failed a check or was outvoted. */
  faulty(): number[];
  /** Trained tokens of accepted in-run jobs by computeId (none for a faulty worker), to add to its verified work. */
  credits(): Map<number, number>;
}

/**
 * In-run features from untrusted workers, verified by duplication: the job (planInRunJob, no
 * holdout) goes to the first worker of its seeded ranking (rankWorkers); its result must pass
 * checkInRunResult; when audited (isJobAudited, default full) the next worker runs it too and the
 * two featuresHash / adapterHash must be equal bit for bit. On disagreement, or with no worker left,
 * the coordinator runs the job itself and its result decides; an outvoted or rejected worker is
 * marked faulty and gets no further in-run jobs.
 */
export function createInRunFeaturePool(p: CreateInRunFeaturePoolParameters): InRunFeaturePool {
  const records: InRunJobRecord[] = [];
  const faulty = new Set<number>();
  const verification = p.verification ?? { policy: "full" };

  const features: InRunFeatureSource = async (request, options) => {
    const job: InRunJob = planInRunJob({
      forge: p.forge,
      baseModelRoot: p.baseModelRoot,
      exampleHashes: request.exampleHashes,
      hyper: request.hyper,
      sequences: request.sequences,
      checkpointEvery: request.checkpointEvery,
      projection: request.projection,
      preconditioner: request.preconditioner,
      ...(request.checkpointAt ? { checkpointAt: request.checkpointAt } : {}),
      ...(request.exampleWeights ? { exampleWeights: request.exampleWeights } : {}),
    });
    const audited = isJobAudited({ jobId: job.jobId, publicSeed: p.publicSeed, verification });
    const ranking = rankWorkers({ jobId: job.jobId, publicSeed: p.publicSeed, workers: p.workers });
    const attempts: InRunAttemptRecord[] = [];
    let next = 0;
    const runNext = async (role: InRunAttemptRecord["role"]): Promise<{ worker: InRunWorker; result: InRunJobResult } | undefined> => {
      while (next < ranking.length) {
        const worker = ranking[next++];
        if (faulty.has(worker.computeId)) continue;
        let result: InRunJobResult;
        try {
          result = await worker.runInRun(job, request.sequences, options);
        } catch (cause) {
          attempts.push({ computeId: worker.computeId, role, outcome: "failed", reason: (cause as Error).message });
          continue;
        }
        const check = checkInRunResult({ job, sequences: request.sequences, result, computeId: worker.computeId, publicKey: worker.publicKey });
        if (!check.ok) {
          faulty.add(worker.computeId);
          attempts.push({ computeId: worker.computeId, role, outcome: "rejected", reason: `${check.reason}: ${check.detail}` });
          continue;
        }
        attempts.push({ computeId: worker.computeId, role, outcome: "accepted", featuresHash: result.featuresHash });
        return { worker, result };
      }
      return undefined;
    };
    const agree = (a: Pick<RunInRunJobReturnType, "featuresHash" | "adapterHash">, b: Pick<RunInRunJobReturnType, "featuresHash" | "adapterHash">) =>
      a.featuresHash === b.featuresHash && a.adapterHash === b.adapterHash;
    const outvote = (computeId: number) => {
      faulty.add(computeId);
      const a = attempts.find((x) => x.computeId === computeId && x.outcome === "accepted");
      if (a) a.outcome = "outvoted";
    };

    const primary = await runNext("primary");
    let chosen: { computeId: number | null; run: RunInRunJobReturnType };
    let reexecuted = false;
    if (!primary) {
      chosen = { computeId: null, run: await runInRunJob(p.model, job, request.sequences, options) };
      reexecuted = true;
    } else if (!audited) {
      chosen = { computeId: primary.worker.computeId, run: primary.result };
    } else {
      const duplicate = await runNext("duplicate");
      if (duplicate && agree(primary.result, duplicate.result)) chosen = { computeId: primary.worker.computeId, run: primary.result };
      else {
        // Disagreement, or nobody to duplicate: the coordinator's own run decides.
        const own = await runInRunJob(p.model, job, request.sequences, options);
        reexecuted = true;
        const candidates = [primary, ...(duplicate ? [duplicate] : [])];
        for (const c of candidates) if (!agree(c.result, own)) outvote(c.worker.computeId);
        const winner = candidates.find((c) => agree(c.result, own));
        chosen = winner ? { computeId: winner.worker.computeId, run: winner.result } : { computeId: null, run: own };
      }
    }
    records.push({ jobId: job.jobId, audited, attempts, reexecuted, accepted: { computeId: chosen.computeId, featuresHash: chosen.run.featuresHash, adapterHash: chosen.run.adapterHash, trainedTokens: chosen.run.trainedTokens } });
    return { paramNames: chosen.run.paramNames, checkpoints: chosen.run.checkpoints };
  };

  const credits = () => {
    const out = new Map<number, number>();
    for (const r of records) {
      const id = r.accepted.computeId;
      if (id !== null && !faulty.has(id)) out.set(id, (out.get(id) ?? 0) + r.accepted.trainedTokens);
    }
    return out;
  };
  return { features, credits, record: () => records.map((r) => ({ ...r, attempts: r.attempts.map((a) => ({ ...a })) })), faulty: () => [...faulty].sort((a, b) => a - b) };
}
