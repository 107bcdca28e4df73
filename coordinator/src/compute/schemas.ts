import { z } from "zod";
import { LORA_TARGET_KINDS } from "../eval/train/network.js";

/**
 * zod schemas for what crosses a trust boundary (job and result files of the queue, results from
 * any worker). Hex fields must be lowercase: the signed and hashed forms are canonical, so a
 * differently-cased copy is refused instead of silently re-spelled.
 */
const hexOf = (bytes: number) =>
  z.string().regex(new RegExp(`^0x[0-9a-f]{${bytes * 2}}$`), `0x followed by ${bytes * 2} lowercase hex digits`) as unknown as z.ZodType<`0x${string}`>;

export const hex32Schema = hexOf(32);
export const signatureSchema = hexOf(64);
export const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an EVM address") as unknown as z.ZodType<`0x${string}`>;

export const loraHyperSchema = z.strictObject({
  learningRate: z.number().finite().positive(),
  weightDecay: z.number().finite().nonnegative(),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]),
  eps: z.number().finite().positive(),
  batchSize: z.number().int().positive(),
  steps: z.number().int().positive().optional(),
  epochs: z.number().int().positive().optional(),
  warmupSteps: z.number().int().nonnegative().optional(),
  lrSchedule: z.enum(["constant", "linear"]).optional(),
  maxGradNorm: z.number().finite().positive().optional(),
  rank: z.number().int().positive(),
  alpha: z.number().finite(),
  targets: z.array(z.enum(LORA_TARGET_KINDS)).min(1),
  seed: z.union([z.string(), z.number().finite()]),
});

export const exampleHashSchema = z.string().min(1).max(200).regex(/^\S+$/, "no whitespace");

export const trainingJobSchema = z.strictObject({
  forge: addressSchema,
  jobId: hex32Schema,
  baseModelRoot: hex32Schema,
  exampleHashes: z.array(exampleHashSchema).min(1),
  hyper: loraHyperSchema,
  sequencesHash: hex32Schema.optional(),
});

export const scoredSequenceSchema = z.strictObject({
  id: z.string(),
  tokens: z.array(z.number().int().nonnegative()),
  scoreFrom: z.number().int(),
});

/** An in-run feature job (inRun/planInRunJob): the training job's fields plus the checkpoint interval and the projection. */
export const inRunJobSchema = trainingJobSchema.extend({
  kind: z.literal("in-run-features"),
  checkpointEvery: z.number().int().positive(),
  projection: z.strictObject({ seed: z.union([z.string(), z.number().finite()]), dim: z.number().int().positive() }),
  preconditioner: z.enum(["sign", "adam", "none"]),
  exampleWeights: z.literal("uniform").optional(),
  checkpointAt: z.literal("end").optional(),
});

/**
 * What a sealed job body holds once opened (`sealJobBody` / `openJobBody`): the job — a training
 * job, or an in-run feature job (`kind: "in-run-features"`, with the key its result is sealed to)
 * — and its training sequences.
 */
export const jobBodySchema = z.strictObject({
  job: z.union([inRunJobSchema, trainingJobSchema]),
  sequences: z.array(scoredSequenceSchema),
  /** In-run jobs: the coordinator's X25519 key for this job, to which the worker seals its features (storeInRunResult). */
  resultRecipient: hex32Schema.optional(),
});

export const trainingJobResultSchema = z.strictObject({
  jobId: hex32Schema,
  computeId: z.number().int().nonnegative(),
  workerPublicKey: hex32Schema,
  adapterRoot: hex32Schema,
  adapterHash: hex32Schema,
  trainedTokens: z.number().int().nonnegative(),
  signature: signatureSchema,
});

/** One zod issue list as a single line for an error message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 4)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
