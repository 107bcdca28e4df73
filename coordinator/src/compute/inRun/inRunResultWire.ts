import { z } from "zod";
import { f64Bytes } from "../../eval/train/hashLoraState.js";
import { ComputeError } from "../errors.js";
import { describeIssues, hex32Schema, signatureSchema } from "../schemas.js";
import type { InRunJobResult } from "./types.js";

/**
 * How an in-run result travels through a transport (file queue, NATS). The worker's answer is its
 * signed claim plus `featuresRoot`: the root, in the content store, of its features (parameter
 * names and every checkpoint's parameters and projected features) sealed to the coordinator's
 * per-job result key (storeInRunResult). Features are far larger than a message (megabytes at the
 * demo's settings), and only the coordinator reads them. The claim's signature covers
 * featuresHash, which binds every feature bit, so the root itself need not be signed.
 */
export interface InRunResultClaim {
  jobId: `0x${string}`;
  computeId: number;
  workerPublicKey: `0x${string}`;
  adapterHash: `0x${string}`;
  featuresHash: `0x${string}`;
  trainedTokens: number;
  signature: `0x${string}`;
  /** Content root of the sealed features (an IFHE envelope of JSON InRunFeaturesWire). */
  featuresRoot: `0x${string}`;
}

/** The features as JSON: every float64 array as base64 of its little-endian IEEE-754 bytes, so they cross bit for bit. */
export interface InRunFeaturesWire {
  paramNames: string[];
  checkpoints: { step: number; endStep: number; stateHash: string; examples: number[]; values: string[]; features: string[] }[];
}

const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "base64");

export const inRunResultClaimSchema = z.strictObject({
  jobId: hex32Schema,
  computeId: z.number().int().nonnegative(),
  workerPublicKey: hex32Schema,
  adapterHash: hex32Schema,
  featuresHash: hex32Schema,
  trainedTokens: z.number().int().nonnegative(),
  signature: signatureSchema,
  featuresRoot: hex32Schema,
});

const inRunFeaturesWireSchema = z.strictObject({
  paramNames: z.array(z.string().max(200)).max(100_000),
  checkpoints: z
    .array(
      z.strictObject({
        step: z.number().int().nonnegative(),
        endStep: z.number().int().nonnegative(),
        stateHash: z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits"),
        examples: z.array(z.number().int().nonnegative()),
        values: z.array(base64),
        features: z.array(base64),
      }),
    )
    .max(100_000),
});

/** The features in their wire form (decodeInRunFeatures ∘ encodeInRunFeatures is the identity, bit for bit). */
export function encodeInRunFeatures(r: Pick<InRunJobResult, "paramNames" | "checkpoints">): InRunFeaturesWire {
  return {
    paramNames: [...r.paramNames],
    checkpoints: r.checkpoints.map((c) => ({ step: c.step, endStep: c.endStep, stateHash: c.stateHash, examples: [...c.examples], values: c.values.map(f64ToBase64), features: c.features.map(f64ToBase64) })),
  };
}

/**
 * A worker's in-run features that cannot be used: not in the store, sealed for another key or
 * context, or not what encodeInRunFeatures writes. Never proof of cheating (the root is not
 * signed): the transport client removes the answer and the job runs again.
 */
export class InRunResultFormatError extends ComputeError {
  override name = "InRunResultFormatError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { hint: "The answer is removed and the job runs again (on this worker if the answer was already there, else on the next)", retryable: true, ...options });
  }
}

/** Parses untrusted wire features (their hash still to be checked against the claim by checkInRunResult). */
export function decodeInRunFeatures(value: unknown): Pick<InRunJobResult, "paramNames" | "checkpoints"> {
  const parsed = inRunFeaturesWireSchema.safeParse(value);
  if (!parsed.success) throw new InRunResultFormatError(`The sealed data is not in-run features: ${describeIssues(parsed.error)}`);
  const w = parsed.data;
  return {
    paramNames: w.paramNames,
    checkpoints: w.checkpoints.map((c) => ({ step: c.step, endStep: c.endStep, stateHash: c.stateHash, examples: c.examples, values: c.values.map(base64ToF64), features: c.features.map(base64ToF64) })),
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function f64ToBase64(values: Float64Array): string {
  return Buffer.from(f64Bytes(values)).toString("base64");
}

function base64ToF64(text: string): Float64Array {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length % 8 !== 0) throw new InRunResultFormatError(`A float64 array of ${bytes.length} bytes (not a multiple of 8)`);
  const out = new Float64Array(bytes.length / 8);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}
