import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { canonicalJson } from "../../eval/attribution/hashInputs.js";
import { JobInputError } from "../errors.js";
import { planTrainingJob, type PlanTrainingJobParameters } from "../planTrainingJob.js";
import type { InRunJob } from "./types.js";

const DOMAIN = "ingotforge/in-run-job/v1\n";

/**
 * An in-run feature job with its deterministic id: the training job's fields (validated by
 * planTrainingJob) plus the checkpoint interval and the projection, hashed as
 * 0x ‖ sha256("ingotforge/in-run-job/v1\n" ‖ canonicalJson(job without jobId, forge lowercased)).
 */
export function planInRunJob(params: PlanTrainingJobParameters & { checkpointEvery: number; projection: { seed: string | number; dim: number }; preconditioner: InRunJob["preconditioner"]; checkpointAt?: "start" | "end"; exampleWeights?: "batch" | "uniform" }): InRunJob {
  const { jobId: _trainingId, ...training } = planTrainingJob(params);
  if (!Number.isInteger(params.checkpointEvery) || params.checkpointEvery < 1) {
    throw new JobInputError(`checkpointEvery must be a positive integer, got ${params.checkpointEvery}`, { hint: "Plan in-run jobs with checkpointEveryFor" });
  }
  if (!Number.isInteger(params.projection.dim) || params.projection.dim < 1) {
    throw new JobInputError(`projection dim must be a positive integer, got ${params.projection.dim}`, { hint: "Use the in-run settings' projectionDim" });
  }
  const fields: Omit<InRunJob, "jobId"> = { ...training, kind: "in-run-features", checkpointEvery: params.checkpointEvery, projection: { seed: params.projection.seed, dim: params.projection.dim }, preconditioner: params.preconditioner, ...(params.checkpointAt === "end" ? { checkpointAt: "end" as const } : {}), ...(params.exampleWeights === "uniform" ? { exampleWeights: "uniform" as const } : {}) };
  return { ...fields, jobId: computeInRunJobId(fields) };
}

export function computeInRunJobId(job: Omit<InRunJob, "jobId"> & { jobId?: Hex }): Hex {
  const { jobId: _ignored, ...fields } = job;
  return `0x${createHash("sha256").update(DOMAIN).update(canonicalJson({ ...fields, forge: fields.forge.toLowerCase() })).digest("hex")}`;
}

/** Refuses a job whose id is not the hash of its fields. */
export function assertInRunJobId(job: InRunJob): void {
  const expected = computeInRunJobId(job);
  if (expected !== job.jobId || job.kind !== "in-run-features") {
    throw new JobInputError(`In-run job ${job.jobId} does not match its fields (they hash to ${expected})`, { hint: "Build in-run jobs with planInRunJob and do not edit them afterwards" });
  }
}
