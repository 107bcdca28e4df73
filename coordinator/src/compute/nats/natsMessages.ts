import { z } from "zod";
import { describeIssues, hex32Schema, jobBodySchema, trainingJobResultSchema } from "../schemas.js";
import { inRunResultClaimSchema, type InRunResultClaim } from "../inRun/inRunResultWire.js";
import type { InRunJob } from "../inRun/types.js";
import type { ScoredSequence, TrainingJob, TrainingJobResult } from "../types.js";

export const NATS_JOB_KIND = "ingotforge/nats-training-job/v2";
export const NATS_RESULT_KIND = "ingotforge/nats-training-job-result/v1";

/**
 * The payload of a job message: who it is for, the job id, and the job body (the job and its
 * training sequences, never the holdout) sealed to that worker's key (`sealJobBody`): the NATS
 * server and its stream files hold only ciphertext.
 */
export interface NatsJobMessage {
  kind: typeof NATS_JOB_KIND;
  computeId: number;
  workerPublicKey: `0x${string}`;
  jobId: `0x${string}`;
  /** base64 of the IFHE envelope of `JSON.stringify(NatsJobBody)`. */
  sealedBody: string;
}

/** The opened body of a job message: a training job or an in-run feature job, and its training sequences. */
export interface NatsJobBody {
  job: TrainingJob | InRunJob;
  sequences: ScoredSequence[];
  /** In-run jobs: the coordinator's X25519 key (hex) for this job's sealed features (storeInRunResult). */
  resultRecipient?: `0x${string}`;
}

/** The payload of a result message: the signed result (of a training job, or of an in-run job: its claim and the root of its sealed features), or the worker's error for the job. */
export type NatsResultMessage =
  | { kind: typeof NATS_RESULT_KIND; result: TrainingJobResult }
  | { kind: typeof NATS_RESULT_KIND; inRunResult: InRunResultClaim }
  | { kind: typeof NATS_RESULT_KIND; error: { jobId: `0x${string}`; computeId: number; message: string } };

const jobMessageSchema = z.strictObject({
  kind: z.literal(NATS_JOB_KIND),
  computeId: z.number().int().nonnegative(),
  workerPublicKey: hex32Schema,
  jobId: hex32Schema,
  sealedBody: z.string().regex(/^[A-Za-z0-9+/]+=*$/, "base64"),
});

const resultMessageSchema = z.union([
  z.strictObject({ kind: z.literal(NATS_RESULT_KIND), result: trainingJobResultSchema }),
  z.strictObject({ kind: z.literal(NATS_RESULT_KIND), inRunResult: inRunResultClaimSchema }),
  z.strictObject({
    kind: z.literal(NATS_RESULT_KIND),
    error: z.strictObject({ jobId: hex32Schema, computeId: z.number().int().nonnegative(), message: z.string().max(4000) }),
  }),
]);

/** A message payload that is not what its subject promises (not JSON, wrong shape). */
export class NatsMessageFormatError extends Error {
  override name = "NatsMessageFormatError";
}

export function encodeNatsMessage(value: NatsJobMessage | NatsResultMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

export function decodeJobMessage(data: Uint8Array): NatsJobMessage {
  const parsed = jobMessageSchema.safeParse(parseJson(data, "job"));
  if (!parsed.success) throw new NatsMessageFormatError(`the job message is not a ${NATS_JOB_KIND}: ${describeIssues(parsed.error)}`);
  return parsed.data as NatsJobMessage;
}

/** A job body's shape, checked after `openJobBody`. */
export function parseNatsJobBody(value: unknown): NatsJobBody {
  const parsed = jobBodySchema.safeParse(value);
  if (!parsed.success) throw new NatsMessageFormatError(`the sealed job body is not a job and its sequences: ${describeIssues(parsed.error)}`);
  return parsed.data as NatsJobBody;
}

export function decodeResultMessage(data: Uint8Array): NatsResultMessage {
  const parsed = resultMessageSchema.safeParse(parseJson(data, "result"));
  if (!parsed.success) throw new NatsMessageFormatError(`the result message is not a ${NATS_RESULT_KIND}: ${describeIssues(parsed.error)}`);
  return parsed.data as NatsResultMessage;
}

function parseJson(data: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data)) as unknown;
  } catch (cause) {
    throw new NatsMessageFormatError(`the ${what} message is not valid JSON`, { cause });
  }
}
