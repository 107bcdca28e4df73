import type { Hex } from "viem";
import type { TrainingJobResult } from "./types.js";
import { verifyJobResult } from "./verifyJobResult.js";

export interface AttributeJobResultParameters {
  /** What arrived as the worker's answer: untrusted, possibly not even an object. */
  result: TrainingJobResult;
  /** The key registered on-chain for the worker. */
  publicKey: Hex;
  /** The job and worker the answer is for. */
  jobId: Hex;
  computeId: number;
}

/** Why an answer proves nothing about the worker it arrived for. */
export type UnattributableReason = "malformed" | "public-key-mismatch" | "bad-signature" | "job-id-mismatch" | "compute-id-mismatch";

export type AttributeJobResultReturnType = { attributable: true } | { attributable: false; reason: UnattributableReason; detail: string };

/**
 * Whether an answer can be held against the worker it arrived for: only when it carries a valid
 * Ed25519 signature by the worker's registered key over this job's id and this worker's computeId.
 * Anything else (malformed, unsigned, signed by another key, or the worker's own signed result for
 * another job or registration, replayed) could have been sent by anyone holding the worker's
 * transport credentials (its NATS token, its queue directory): it proves the worker did not send
 * it, so it must be dropped and reported as a compromised transport, never counted as the
 * worker's fault. Never throws on untrusted input.
 */
export function attributeJobResult({ result, publicKey, jobId, computeId }: AttributeJobResultParameters): AttributeJobResultReturnType {
  if (typeof result !== "object" || result === null) return { attributable: false, reason: "malformed", detail: "no result object" };
  const sig = verifyJobResult({ result, publicKey });
  if (!sig.valid) return { attributable: false, reason: sig.reason, detail: sig.detail };
  if (result.jobId !== jobId.toLowerCase()) return { attributable: false, reason: "job-id-mismatch", detail: `signed for job ${result.jobId}, not ${jobId} (a replayed result)` };
  if (result.computeId !== computeId) return { attributable: false, reason: "compute-id-mismatch", detail: `signed for worker ${result.computeId}, not ${computeId} (a replayed result)` };
  return { attributable: true };
}
