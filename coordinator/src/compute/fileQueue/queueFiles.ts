import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { QueueError } from "../errors.js";
import { inRunResultClaimSchema, type InRunResultClaim } from "../inRun/inRunResultWire.js";
import type { InRunJob } from "../inRun/types.js";
import { describeIssues, hex32Schema, jobBodySchema, trainingJobResultSchema } from "../schemas.js";
import type { ScoredSequence, TrainingJob, TrainingJobResult } from "../types.js";
import type { QueuePaths } from "./queuePaths.js";

export const JOB_FILE_KIND = "ingotforge/training-job-file/v2";
export const RESULT_FILE_KIND = "ingotforge/training-job-result-file/v1";

/**
 * What the coordinator hands a worker: who it is for, the job id, and the job body (the job and its
 * training sequences, never the holdout) sealed to that worker's key (`sealJobBody`): the queue
 * directory holds only ciphertext.
 */
export interface JobFile {
  kind: typeof JOB_FILE_KIND;
  computeId: number;
  workerPublicKey: `0x${string}`;
  jobId: `0x${string}`;
  /** base64 of the IFHE envelope of `JSON.stringify(JobBody)`. */
  sealedBody: string;
}

/** The opened body of a job file or message: a training job or an in-run feature job, and its training sequences. */
export interface JobBody {
  job: TrainingJob | InRunJob;
  sequences: ScoredSequence[];
  /** In-run jobs: the coordinator's X25519 key (hex) for this job's sealed features (storeInRunResult). */
  resultRecipient?: `0x${string}`;
}

/** A worker's answer: a training job's signed result, an in-run job's (`inRunResult`: its signed claim and the root of its sealed features), or its error. */
export type ResultFile =
  | { kind: typeof RESULT_FILE_KIND; result: TrainingJobResult }
  | { kind: typeof RESULT_FILE_KIND; inRunResult: InRunResultClaim }
  | { kind: typeof RESULT_FILE_KIND; error: { jobId: `0x${string}`; computeId: number; message: string } };

const jobFileSchema = z.strictObject({
  kind: z.literal(JOB_FILE_KIND),
  computeId: z.number().int().nonnegative(),
  workerPublicKey: hex32Schema,
  jobId: hex32Schema,
  sealedBody: z.string().regex(/^[A-Za-z0-9+/]+=*$/, "base64"),
});

const resultFileSchema = z.union([
  z.strictObject({ kind: z.literal(RESULT_FILE_KIND), result: trainingJobResultSchema }),
  z.strictObject({ kind: z.literal(RESULT_FILE_KIND), inRunResult: inRunResultClaimSchema }),
  z.strictObject({
    kind: z.literal(RESULT_FILE_KIND),
    error: z.strictObject({ jobId: hex32Schema, computeId: z.number().int().nonnegative(), message: z.string().max(4000) }),
  }),
]);

export async function ensureQueueDirs(paths: QueuePaths): Promise<void> {
  try {
    for (const dir of [paths.jobs, paths.claimed, paths.results, paths.tmp]) await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new QueueError(`Cannot create the queue directories under ${paths.forgeDir}`, { hint: "Check that --queue is a writable directory", cause });
  }
}

/** Write `value` as JSON at `target` through tmp + fsync + rename, so a reader never sees half a file. */
export async function writeJsonAtomic(paths: QueuePaths, target: string, value: unknown): Promise<void> {
  const tmp = join(paths.tmp, `${randomBytes(8).toString("hex")}.part`);
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(`${JSON.stringify(value)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new QueueError(`Cannot write ${target}`, { hint: "Check free space and permissions of the queue directory", cause, retryable: true });
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new QueueError(`${path} is not valid JSON`, { hint: "Delete the file; the coordinator re-queues the job", cause });
  }
}

export async function readJobFile(path: string): Promise<JobFile> {
  const parsed = jobFileSchema.safeParse(await readJson(path));
  if (!parsed.success) throw new QueueError(`${path} is not a job file: ${describeIssues(parsed.error)}`, { hint: "Delete the file; the coordinator re-queues the job" });
  return parsed.data as JobFile;
}

/** A job body's shape, checked after `openJobBody`. */
export function parseJobBody(value: unknown, source: string): JobBody {
  const parsed = jobBodySchema.safeParse(value);
  if (!parsed.success) throw new QueueError(`${source} does not hold a job body: ${describeIssues(parsed.error)}`, { hint: "Delete the file; the coordinator re-queues the job" });
  return parsed.data as JobBody;
}

export async function readResultFile(path: string): Promise<ResultFile> {
  const parsed = resultFileSchema.safeParse(await readJson(path));
  if (!parsed.success) throw new QueueError(`${path} is not a result file: ${describeIssues(parsed.error)}`, { hint: "Delete the file so the job runs again" });
  return parsed.data as ResultFile;
}

export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "ENOENT";
}
