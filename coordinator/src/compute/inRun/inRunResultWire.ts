import { z } from "zod";
import { f64Bytes } from "../../eval/train/hashLoraState.js";
import { describeIssues, hex32Schema, signatureSchema } from "../schemas.js";
import type { InRunJobResult } from "./types.js";

/**
 * An in-run result as it travels through a transport (file queue, NATS): JSON, with every float64
 * array as base64 of its little-endian IEEE-754 bytes, so features and checkpoint parameters cross
 * bit for bit (a decimal rendering could round). The signed claim (jobId, computeId,
 * workerPublicKey, adapterHash, featuresHash, trainedTokens, signature) is carried as is.
 */
export interface InRunResultWire {
  jobId: `0x${string}`;
  computeId: number;
  workerPublicKey: `0x${string}`;
  adapterHash: `0x${string}`;
  featuresHash: `0x${string}`;
  trainedTokens: number;
  signature: `0x${string}`;
  paramNames: string[];
  checkpoints: { step: number; endStep: number; stateHash: string; examples: number[]; values: string[]; features: string[] }[];
}

const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "base64");

/** The wire form's shape; features and parameters are decoded and hashed by the receiver (checkInRunResult). */
export const inRunResultWireSchema = z.strictObject({
  jobId: hex32Schema,
  computeId: z.number().int().nonnegative(),
  workerPublicKey: hex32Schema,
  adapterHash: hex32Schema,
  featuresHash: hex32Schema,
  trainedTokens: z.number().int().nonnegative(),
  signature: signatureSchema,
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

/** The result in its wire form (encodeInRunResult ∘ decodeInRunResult is the identity, bit for bit). */
export function encodeInRunResult(r: InRunJobResult): InRunResultWire {
  return {
    jobId: r.jobId,
    computeId: r.computeId,
    workerPublicKey: r.workerPublicKey,
    adapterHash: r.adapterHash,
    featuresHash: r.featuresHash,
    trainedTokens: r.trainedTokens,
    signature: r.signature,
    paramNames: [...r.paramNames],
    checkpoints: r.checkpoints.map((c) => ({ step: c.step, endStep: c.endStep, stateHash: c.stateHash, examples: [...c.examples], values: c.values.map(f64ToBase64), features: c.features.map(f64ToBase64) })),
  };
}

/** A wire result whose shape or float64 encoding is not what encodeInRunResult writes. */
export class InRunResultFormatError extends Error {
  override name = "InRunResultFormatError";
}

/** Parses an untrusted wire result into an InRunJobResult (its claim still to be checked by checkInRunResult). */
export function decodeInRunResult(value: unknown): InRunJobResult {
  const parsed = inRunResultWireSchema.safeParse(value);
  if (!parsed.success) throw new InRunResultFormatError(`not an in-run result: ${describeIssues(parsed.error)}`);
  const w = parsed.data;
  return {
    jobId: w.jobId,
    computeId: w.computeId,
    workerPublicKey: w.workerPublicKey,
    adapterHash: w.adapterHash,
    featuresHash: w.featuresHash,
    trainedTokens: w.trainedTokens,
    signature: w.signature,
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
  if (bytes.length % 8 !== 0) throw new InRunResultFormatError(`a float64 array of ${bytes.length} bytes (not a multiple of 8)`);
  const out = new Float64Array(bytes.length / 8);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}
