import type { Hex } from "viem";
import type { Qwen2Model } from "../eval/model/types.js";
import type { ContentStore } from "../storage/types.js";
import { createBaseModelResolver } from "./resolveBaseModel.js";
import { trainJobAdapter } from "./trainJobAdapter.js";
import type { RunJobOptions, ScoredSequence, TrainingJob } from "./types.js";

export interface ReexecuteReturnType {
  /** 0x + hashAdapter of the adapter in adapterBytes (the pool checks that it is). */
  adapterHash: Hex;
  /** The adapter GGUF as trainJobAdapter writes it. */
  adapterBytes: Uint8Array;
  trainedTokens?: number;
}

/** The coordinator's own run of a job: the reference a worker's result is compared with. */
export type Reexecute = (job: TrainingJob, sequences: readonly ScoredSequence[], options?: RunJobOptions) => Promise<ReexecuteReturnType>;

export interface CreateReexecutorParameters {
  store: ContentStore;
  model?: Qwen2Model;
  baseModelRoot?: Hex;
}

/** A Reexecute on the same deterministic run workers use (trainJobAdapter), so honest results match bit for bit. */
export function createReexecutor(params: CreateReexecutorParameters): Reexecute {
  const resolveBase = createBaseModelResolver(params);
  return async (job, sequences, options) => {
    const model = await resolveBase(job.baseModelRoot);
    const r = await trainJobAdapter({ model, job, sequences, ...(options?.signal ? { signal: options.signal } : {}) });
    return { adapterHash: r.adapterHash, adapterBytes: r.adapterBytes, trainedTokens: r.trainedTokens };
  };
}
