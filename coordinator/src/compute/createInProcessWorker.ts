import type { Hex } from "viem";
import type { Logger } from "pino";
import type { Qwen2Model } from "../eval/model/types.js";
import type { TrainProgress } from "../eval/train/types.js";
import type { ContentStore } from "../storage/types.js";
import { ed25519PublicKeyOf, toEd25519PrivateKey } from "./ed25519Keys.js";
import { createBaseModelResolver } from "./resolveBaseModel.js";
import { signJobResult } from "./signJobResult.js";
import { trainJobAdapter } from "./trainJobAdapter.js";
import type { ComputeWorker } from "./types.js";

export interface CreateInProcessWorkerParameters {
  computeId: number;
  ed25519PrivateKey: Hex | string | Uint8Array;
  /** The base in memory; jobs naming another root load theirs from `store`. */
  model?: Qwen2Model;
  /** Root of `model`'s GGUF in the store (computed from modelToGguf(model) when left out). */
  baseModelRoot?: Hex;
  /** Where the worker puts its adapters (and finds base models by root). */
  store: ContentStore;
  logger?: Logger;
  onProgress?: (p: TrainProgress & { jobId: Hex }) => void;
}

/**
 * An honest worker in this process: checks the job, trains it with the deterministic trainer,
 * puts the adapter GGUF in the store and signs the result with its Ed25519 key.
 */
export function createInProcessWorker(params: CreateInProcessWorkerParameters): ComputeWorker {
  const key = toEd25519PrivateKey(params.ed25519PrivateKey);
  const publicKey = ed25519PublicKeyOf(key);
  const resolveBase = createBaseModelResolver({ store: params.store, ...(params.model ? { model: params.model } : {}), ...(params.baseModelRoot ? { baseModelRoot: params.baseModelRoot } : {}) });
  const log = params.logger?.child({ computeId: params.computeId });
  return {
    computeId: params.computeId,
    publicKey,
    async run(job, sequences, options) {
      const model = await resolveBase(job.baseModelRoot);
      const started = Date.now();
      log?.info({ jobId: job.jobId, examples: sequences.length }, "training job");
      const trained = await trainJobAdapter({
        model,
        job,
        sequences,
        ...(options?.signal ? { signal: options.signal } : {}),
        ...(params.onProgress ? { onProgress: (p: TrainProgress) => params.onProgress!({ ...p, jobId: job.jobId }) } : {}),
      });
      const { root } = await params.store.put(trained.adapterBytes);
      log?.info({ jobId: job.jobId, adapterRoot: root, trainedTokens: trained.trainedTokens, ms: Date.now() - started }, "job trained");
      return signJobResult({
        result: { jobId: job.jobId, computeId: params.computeId, workerPublicKey: publicKey, adapterRoot: root, adapterHash: trained.adapterHash, trainedTokens: trained.trainedTokens },
        ed25519PrivateKey: key,
      });
    },
  };
}
