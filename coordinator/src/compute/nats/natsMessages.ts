import { z } from "zod";
import { describeIssues, hex32Schema, scoredSequenceSchema, trainingJobResultSchema, trainingJobSchema } from "../schemas.js";
import type { ScoredSequence, TrainingJob, TrainingJobResult } from "../types.js";

export const NATS_JOB_KIND = "ingotforge/nats-training-job/v1";
export const NATS_RESULT_KIND = "ingotforge/nats-training-job-result/v1";

/** The payload of a job message: the job, who it is for, its training sequences (never the holdout). */
export interface NatsJobMessage {
  kind: typeof NATS_JOB_KIND;
  computeId: number;
  workerPublicKey: `0x${string}`;
  job: TrainingJob;
  sequences: ScoredSequence[];
}

/** The payload of a result message: the signed result, or the worker's error for the job. */
export type NatsResultMessage =
  | { kind: typeof NATS_RESULT_KIND; result: TrainingJobResult }
  | { kind: typeof NATS_RESULT_KIND; error: { jobId: `0x${string}`; computeId: number; message: string } };

const jobMessageSchema = z.strictObject({
  kind: z.literal(NATS_JOB_KIND),
  computeId: z.number().int().nonnegative(),
  workerPublicKey: hex32Schema,
  job: trainingJobSchema,
  sequences: z.array(scoredSequenceSchema),
});

const resultMessageSchema = z.union([
  z.strictObject({ kind: z.literal(NATS_RESULT_KIND), result: trainingJobResultSchema }),
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
