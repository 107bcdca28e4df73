import { ed25519 } from "@noble/curves/ed25519";
import { hexToBytes, type Hex } from "viem";
import { jobResultMessage } from "./jobResultMessage.js";
import { describeIssues, trainingJobResultSchema } from "./schemas.js";
import type { TrainingJobResult } from "./types.js";

export interface VerifyJobResultParameters {
  result: TrainingJobResult;
  /** The key registered on-chain for the worker; the result's own workerPublicKey must equal it. */
  publicKey: Hex;
}

export type VerifyJobResultReturnType = { valid: true } | { valid: false; reason: "malformed" | "public-key-mismatch" | "bad-signature"; detail: string };

/**
 * Whether `result` is well formed, names the registered key, and carries a valid Ed25519 signature
 * over jobResultMessage by that key. Never throws on untrusted input; says why it refused.
 */
export function verifyJobResult({ result, publicKey }: VerifyJobResultParameters): VerifyJobResultReturnType {
  const parsed = trainingJobResultSchema.safeParse(result);
  if (!parsed.success) return { valid: false, reason: "malformed", detail: describeIssues(parsed.error) };
  if (parsed.data.workerPublicKey !== publicKey.toLowerCase()) {
    return { valid: false, reason: "public-key-mismatch", detail: `signed as ${parsed.data.workerPublicKey}, registered key is ${publicKey.toLowerCase()}` };
  }
  let ok = false;
  try {
    // zip215: false is RFC 8032's strict verification (no non-canonical encodings accepted).
    ok = ed25519.verify(hexToBytes(parsed.data.signature), jobResultMessage(parsed.data), hexToBytes(parsed.data.workerPublicKey), { zip215: false });
  } catch {
    ok = false;
  }
  return ok ? { valid: true } : { valid: false, reason: "bad-signature", detail: "the Ed25519 signature does not verify over the result's fields" };
}
