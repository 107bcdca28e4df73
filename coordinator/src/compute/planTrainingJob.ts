import { createHash } from "node:crypto";
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { canonicalJson } from "../eval/attribution/hashInputs.js";
import { validateOptimizerHyper } from "../eval/train/validateTrainInputs.js";
import type { LoraHyperParameters, ScoredSequence } from "../eval/train/types.js";
import { normalizeContentRoot } from "../storage/normalizeContentRoot.js";
import { JobInputError } from "./errors.js";
import { hashSequences } from "./hashSequences.js";
import { describeIssues, exampleHashSchema, loraHyperSchema } from "./schemas.js";
import type { TrainingJob } from "./types.js";

export interface PlanTrainingJobParameters {
  forge: Address;
  baseModelRoot: Hex;
  exampleHashes: readonly string[];
  hyper: LoraHyperParameters;
  /** The tokenized sequences (same order as exampleHashes): binds their exact tokens into the jobId. */
  sequences?: readonly ScoredSequence[];
}

export type PlanTrainingJobReturnType = TrainingJob;

const DOMAIN = "ingotforge/training-job/v1\n";

/**
 * A training job with its deterministic id: the same forge, base, examples (in order),
 * hyper-parameters (seed included) and sequences always give the same jobId, on any machine.
 * Inputs are validated here, so a bad plan fails before any worker sees it.
 */
export function planTrainingJob(params: PlanTrainingJobParameters): PlanTrainingJobReturnType {
  if (!isAddress(params.forge, { strict: false })) {
    throw new JobInputError(`forge "${String(params.forge)}" is not an address`, { hint: "Pass the Forge's contract address" });
  }
  let baseModelRoot: Hex;
  try {
    baseModelRoot = normalizeContentRoot(params.baseModelRoot);
  } catch (cause) {
    throw new JobInputError(`baseModelRoot "${String(params.baseModelRoot)}" is not a 0G root`, { hint: "Pass the root the base model GGUF is stored under", cause });
  }
  if (params.exampleHashes.length === 0) throw new JobInputError("A training job needs at least one example", { hint: "Plan jobs only for non-empty subsets" });
  params.exampleHashes.forEach((h, i) => {
    const r = exampleHashSchema.safeParse(h);
    if (!r.success) throw new JobInputError(`exampleHashes[${i}] is invalid: ${describeIssues(r.error)}`, { hint: "Pass content hashes (exampleHash)" });
  });
  const hyperParsed = loraHyperSchema.safeParse(params.hyper);
  if (!hyperParsed.success) throw new JobInputError(`Bad hyper-parameters: ${describeIssues(hyperParsed.error)}`, { hint: "Fix the Forge's training configuration" });
  try {
    validateOptimizerHyper(params.hyper);
  } catch (cause) {
    throw new JobInputError("Bad hyper-parameters", { hint: (cause as Error).message, cause });
  }
  let sequencesHash: Hex | undefined;
  if (params.sequences) {
    if (params.sequences.length !== params.exampleHashes.length) {
      throw new JobInputError(`${params.sequences.length} sequences for ${params.exampleHashes.length} example hashes`, { hint: "Pass one tokenized sequence per example, in the same order" });
    }
    sequencesHash = hashSequences(params.sequences);
  }
  const fields: Omit<TrainingJob, "jobId"> = {
    forge: getAddress(params.forge),
    baseModelRoot,
    exampleHashes: [...params.exampleHashes],
    hyper: hyperParsed.data as LoraHyperParameters,
    ...(sequencesHash ? { sequencesHash } : {}),
  };
  return { ...fields, jobId: computeJobId(fields) };
}

/**
 * 0x + sha256( "ingotforge/training-job/v1\n" ‖ canonicalJson(fields) ), where fields are the job
 * without jobId and with `forge` lowercased (so checksum casing never changes the id), and
 * canonicalJson sorts object keys and writes no whitespace (hashInputs.ts).
 */
export function computeJobId(job: Omit<TrainingJob, "jobId"> & { jobId?: Hex }): Hex {
  const { jobId: _ignored, ...fields } = job;
  const body = canonicalJson({ ...fields, forge: fields.forge.toLowerCase() });
  return `0x${createHash("sha256").update(DOMAIN).update(body).digest("hex")}`;
}

/** Refuses a job whose jobId is not the hash of its fields (tampered, or built by hand). */
export function assertJobId(job: TrainingJob): void {
  const expected = computeJobId(job);
  if (expected !== job.jobId) {
    throw new JobInputError(`Job ${job.jobId} does not match its fields (they hash to ${expected})`, {
      hint: "Build jobs with planTrainingJob and do not edit them afterwards",
    });
  }
}

/** Refuses sequences that do not belong to the job (count, and exact tokens when the job binds them). */
export function assertJobSequences(job: TrainingJob, sequences: readonly ScoredSequence[]): void {
  if (sequences.length !== job.exampleHashes.length) {
    throw new JobInputError(`Job ${job.jobId} has ${job.exampleHashes.length} examples but ${sequences.length} sequences were given`, {
      hint: "Pass the job's tokenized examples, one per example hash, in order",
    });
  }
  if (job.sequencesHash !== undefined) {
    const actual = hashSequences(sequences);
    if (actual !== job.sequencesHash) {
      throw new JobInputError(`The sequences given for job ${job.jobId} hash to ${actual}, not the planned ${job.sequencesHash}`, {
        hint: "Tokenize the job's examples exactly as when the job was planned",
      });
    }
  }
}
