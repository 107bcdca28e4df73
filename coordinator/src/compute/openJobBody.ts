import type { Hex } from "viem";
import { openHoldout } from "../sealing/openHoldout.js";
import { JobInputError } from "./errors.js";
import { jobBodyInfo, type JobBodyAddress } from "./sealJobBody.js";
import { workerHpkePrivateKey } from "./workerHpkeKeys.js";

export interface OpenJobBodyParameters extends JobBodyAddress {
  /** The sealed body as the message carries it (base64 of an IFHE envelope). */
  sealedBody: string;
  /** The worker's Ed25519 private key (the one it signs results with). */
  ed25519PrivateKey: Hex | Uint8Array;
}

/**
 * The worker's side of `sealJobBody`: open a job body sealed to this worker for this Forge and job,
 * and parse its JSON. The caller validates the shape (a transport's job-body schema). A body sealed
 * for another worker, job or Forge, or altered, is refused.
 */
export async function openJobBody(p: OpenJobBodyParameters): Promise<unknown> {
  const envelope = new Uint8Array(Buffer.from(p.sealedBody, "base64"));
  let plaintext: Uint8Array;
  try {
    plaintext = await openHoldout({ envelope, recipientPrivateKey: workerHpkePrivateKey(p.ed25519PrivateKey), expectedInfo: jobBodyInfo(p) });
  } catch (cause) {
    throw new JobInputError(`The data of job ${p.jobId} does not open with this worker's key`, {
      hint: "It was sealed for another worker, job or Forge, or altered in transit; the coordinator sends it again to the key it is addressed to",
      cause,
    });
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext)) as unknown;
  } catch (cause) {
    throw new JobInputError(`The data of job ${p.jobId} is not JSON`, { hint: "The coordinator sealed a malformed body; report it", cause });
  }
}
