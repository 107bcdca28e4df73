import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, type Hex } from "viem";
import { ed25519PublicKeyOf, toEd25519PrivateKey } from "./ed25519Keys.js";
import { ComputeKeyError } from "./errors.js";
import { jobResultMessage } from "./jobResultMessage.js";
import type { TrainingJobResult, UnsignedTrainingJobResult } from "./types.js";

export interface SignJobResultParameters {
  result: UnsignedTrainingJobResult;
  ed25519PrivateKey: Hex | string | Uint8Array;
}

/** Sign a result with the worker's key (Ed25519 over jobResultMessage). The key must match workerPublicKey. */
export function signJobResult({ result, ed25519PrivateKey }: SignJobResultParameters): TrainingJobResult {
  const key = toEd25519PrivateKey(ed25519PrivateKey);
  const publicKey = ed25519PublicKeyOf(key);
  if (publicKey !== result.workerPublicKey.toLowerCase()) {
    throw new ComputeKeyError(`The signing key's public key ${publicKey} is not the result's workerPublicKey ${result.workerPublicKey}`, {
      hint: "Sign with the key registered for this worker",
    });
  }
  const unsigned: UnsignedTrainingJobResult = {
    jobId: result.jobId,
    computeId: result.computeId,
    workerPublicKey: result.workerPublicKey,
    adapterRoot: result.adapterRoot,
    adapterHash: result.adapterHash,
    trainedTokens: result.trainedTokens,
  };
  return { ...unsigned, signature: bytesToHex(ed25519.sign(jobResultMessage(unsigned), key)) };
}
