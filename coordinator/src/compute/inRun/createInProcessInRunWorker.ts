import type { Hex } from "viem";
import type { Qwen2Model } from "../../eval/model/types.js";
import type { ContentStore } from "../../storage/types.js";
import { ed25519PublicKeyOf, toEd25519PrivateKey } from "../ed25519Keys.js";
import { createBaseModelResolver } from "../resolveBaseModel.js";
import { signInRunResult } from "./inRunResultMessage.js";
import { runInRunJob } from "./runInRunJob.js";
import type { InRunWorker } from "./types.js";

export interface CreateInProcessInRunWorkerParameters {
  computeId: number;
  ed25519PrivateKey: Hex | string | Uint8Array;
  /** The base in memory. */
  model: Qwen2Model;
  /**
   * With a store, the base is found by the root the job names, as a training worker does
   * (createBaseModelResolver: `model` when the root is `baseModelRoot`, else the GGUF from the
   * store). Without one, every job runs on `model` (a job naming another base then gives features
   * that duplication rejects).
   */
  store?: ContentStore;
  /** Root of `model`'s GGUF (computed from modelToGguf(model) when left out); used with `store`. */
  baseModelRoot?: Hex;
}

/** An honest in-run worker in this process: runs the job deterministically and signs the claim. */
export function createInProcessInRunWorker(params: CreateInProcessInRunWorkerParameters): InRunWorker {
  const key = toEd25519PrivateKey(params.ed25519PrivateKey);
  const publicKey = ed25519PublicKeyOf(key);
  const resolveBase = params.store ? createBaseModelResolver({ store: params.store, model: params.model, ...(params.baseModelRoot ? { baseModelRoot: params.baseModelRoot } : {}) }) : async () => params.model;
  return {
    computeId: params.computeId,
    publicKey,
    async runInRun(job, sequences, options) {
      const model = await resolveBase(job.baseModelRoot);
      const r = await runInRunJob(model, job, sequences, options);
      return signInRunResult({ jobId: job.jobId, computeId: params.computeId, workerPublicKey: publicKey, ...r }, key);
    },
  };
}
