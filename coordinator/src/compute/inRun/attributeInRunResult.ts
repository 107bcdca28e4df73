import type { Hex } from "viem";
import type { AttributeJobResultReturnType } from "../attributeJobResult.js";
import { verifyInRunResultSignature } from "./inRunResultMessage.js";
import type { InRunJobResult } from "./types.js";

/**
 * attributeJobResult for an in-run answer (its claim): whether it can be held against the worker it arrived
 * for — only when its claim carries a valid Ed25519 signature by the worker's registered key, for
 * this job and this computeId. Anything else proves the worker did not send it (someone holds its
 * transport credentials): drop it and report a compromised transport. Whether the features match
 * the signed featuresHash is checkInRunResult's business (a mismatch there is the worker's fault).
 * Never throws on untrusted input.
 */
export function attributeInRunResult(p: { result: Pick<InRunJobResult, "adapterHash" | "computeId" | "featuresHash" | "jobId" | "trainedTokens" | "workerPublicKey" | "signature">; publicKey: Hex; jobId: Hex; computeId: number }): AttributeJobResultReturnType {
  const { result } = p;
  if (typeof result !== "object" || result === null) return { attributable: false, reason: "malformed", detail: "no result object" };
  if (typeof result.workerPublicKey !== "string" || result.workerPublicKey.toLowerCase() !== p.publicKey.toLowerCase()) {
    return { attributable: false, reason: "public-key-mismatch", detail: `signed as ${String(result.workerPublicKey)}, registered key is ${p.publicKey.toLowerCase()}` };
  }
  if (!verifyInRunResultSignature(result, p.publicKey)) return { attributable: false, reason: "bad-signature", detail: "the Ed25519 signature does not verify over the in-run result's claim" };
  if (result.jobId !== p.jobId.toLowerCase()) return { attributable: false, reason: "job-id-mismatch", detail: `signed for job ${result.jobId}, not ${p.jobId} (a replayed result)` };
  if (result.computeId !== p.computeId) return { attributable: false, reason: "compute-id-mismatch", detail: `signed for worker ${result.computeId}, not ${p.computeId} (a replayed result)` };
  return { attributable: true };
}
