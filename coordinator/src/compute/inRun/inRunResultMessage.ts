import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { canonicalJson } from "../../eval/attribution/hashInputs.js";
import { ed25519PublicKeyOf, toEd25519PrivateKey } from "../ed25519Keys.js";
import { ComputeKeyError } from "../errors.js";
import type { InRunJobResult, UnsignedInRunJobResult } from "./types.js";

export const IN_RUN_RESULT_DOMAIN = "ingotforge/in-run-job-result/v1";

/** The bytes a worker signs: canonical JSON of { adapterHash, computeId, domain, featuresHash, jobId, trainedTokens, workerPublicKey }. */
export function inRunResultMessage(r: Pick<UnsignedInRunJobResult, "adapterHash" | "computeId" | "featuresHash" | "jobId" | "trainedTokens" | "workerPublicKey">): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson({ adapterHash: r.adapterHash, computeId: r.computeId, domain: IN_RUN_RESULT_DOMAIN, featuresHash: r.featuresHash, jobId: r.jobId, trainedTokens: r.trainedTokens, workerPublicKey: r.workerPublicKey }),
  );
}

/** Signs an in-run result with the worker's Ed25519 key (which must be the result's workerPublicKey). */
export function signInRunResult(result: UnsignedInRunJobResult, ed25519PrivateKey: Hex | string | Uint8Array): InRunJobResult {
  const key = toEd25519PrivateKey(ed25519PrivateKey);
  if (ed25519PublicKeyOf(key) !== result.workerPublicKey.toLowerCase()) {
    throw new ComputeKeyError(`The signing key is not the result's workerPublicKey ${result.workerPublicKey}`, { hint: "Sign with the key registered for this worker" });
  }
  return { ...result, signature: bytesToHex(ed25519.sign(inRunResultMessage(result), key)) };
}

/** Whether the signature is a valid Ed25519 signature by `publicKey` over the result's claim. Never throws. */
export function verifyInRunResultSignature(result: Pick<InRunJobResult, "adapterHash" | "computeId" | "featuresHash" | "jobId" | "trainedTokens" | "workerPublicKey" | "signature">, publicKey: Hex): boolean {
  if (typeof result.workerPublicKey !== "string" || result.workerPublicKey.toLowerCase() !== publicKey.toLowerCase()) return false;
  try {
    return ed25519.verify(hexToBytes(result.signature), inRunResultMessage(result), hexToBytes(result.workerPublicKey), { zip215: false });
  } catch {
    return false;
  }
}
