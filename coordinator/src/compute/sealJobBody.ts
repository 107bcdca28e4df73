import type { Hex } from "viem";
import { sealHoldout } from "../sealing/sealHoldout.js";
import { workerHpkePublicKey } from "./workerHpkeKeys.js";

/** Who a job body is for: the HPKE `info` binds it to this Forge, job and worker. */
export interface JobBodyAddress {
  forge: Hex;
  jobId: Hex;
  /** The worker's registered Ed25519 public key (lowercase hex). */
  workerPublicKey: Hex;
}

/** RFC 9180 `info` of a sealed job body: "ingotforge/worker-job/v1 forge=<forge> job=<jobId> worker=<key>", all lowercase. */
export function jobBodyInfo(to: JobBodyAddress): string {
  return `ingotforge/worker-job/v1 forge=${to.forge.toLowerCase()} job=${to.jobId.toLowerCase()} worker=${to.workerPublicKey.toLowerCase()}`;
}

/**
 * The enclave's side of handing training data to a worker: the job body (whatever a job kind
 * carries: today `{ job, sequences }`) as JSON, sealed with HPKE to the worker's X25519 key derived
 * from its registered Ed25519 key, in the holdout's envelope format (IFHE v1) with `jobBodyInfo` as
 * its context. Returned as base64 for the JSON message a transport sends. Only that worker opens it
 * (`openJobBody`); the queue directory or the NATS server sees ciphertext.
 */
export async function sealJobBody(body: unknown, to: JobBodyAddress): Promise<string> {
  const plaintext = new TextEncoder().encode(JSON.stringify(body));
  const { bytes } = await sealHoldout({ plaintext, recipientPublicKey: workerHpkePublicKey(to.workerPublicKey), info: jobBodyInfo(to) });
  return Buffer.from(bytes).toString("base64");
}
