import type { Hex } from "viem";
import type { Qwen2Model } from "../../eval/model/types.js";
import { ed25519PublicKeyOf, toEd25519PrivateKey } from "../ed25519Keys.js";
import { signInRunResult } from "./inRunResultMessage.js";
import { runInRunJob } from "./runInRunJob.js";
import type { InRunWorker } from "./types.js";

/** An honest in-run worker in this process: runs the job deterministically and signs the claim. */
export function createInProcessInRunWorker(params: { computeId: number; ed25519PrivateKey: Hex | string | Uint8Array; model: Qwen2Model }): InRunWorker {
  const key = toEd25519PrivateKey(params.ed25519PrivateKey);
  const publicKey = ed25519PublicKeyOf(key);
  return {
    computeId: params.computeId,
    publicKey,
    async runInRun(job, sequences, options) {
      const r = await runInRunJob(params.model, job, sequences, options);
      return signInRunResult({ jobId: job.jobId, computeId: params.computeId, workerPublicKey: publicKey, ...r }, key);
    },
  };
}
