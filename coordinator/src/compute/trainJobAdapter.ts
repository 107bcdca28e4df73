import type { Hex } from "viem";
import { loraAdapterToGguf } from "../eval/model/loraAdapterToGguf.js";
import type { LoraAdapter, Qwen2Model } from "../eval/model/types.js";
import { hashAdapter } from "../eval/train/hashAdapter.js";
import { trainLoraAsync } from "../eval/train/trainLoraAsync.js";
import type { ScoredSequence, TrainMetrics, TrainProgress } from "../eval/train/types.js";
import { assertJobId, assertJobSequences } from "./planTrainingJob.js";
import type { TrainingJob } from "./types.js";

export interface TrainJobAdapterParameters {
  /** The base whose GGUF is stored under job.baseModelRoot. */
  model: Qwen2Model;
  job: TrainingJob;
  sequences: readonly ScoredSequence[];
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainJobAdapterReturnType {
  adapter: LoraAdapter;
  /** The adapter GGUF: a function of the job and the adapter values only. */
  adapterBytes: Uint8Array;
  adapterHash: Hex;
  trainedTokens: number;
  metrics: TrainMetrics;
}

/**
 * The one deterministic run behind a job, shared by workers and the coordinator's re-execution:
 * trainLoraAsync, then the GGUF with metadata taken from the job alone (base named by its root,
 * adapter by the jobId), so two honest runs store byte-identical files under the same 0G root.
 */
export async function trainJobAdapter(params: TrainJobAdapterParameters): Promise<TrainJobAdapterReturnType> {
  const { job, model } = params;
  assertJobId(job);
  assertJobSequences(job, params.sequences);
  const { adapter, metrics } = await trainLoraAsync({
    model,
    sequences: params.sequences.map((s) => ({ id: s.id, tokens: s.tokens, scoreFrom: s.scoreFrom })),
    hyper: job.hyper,
    ...(params.signal ? { signal: params.signal } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
  });
  const adapterBytes = loraAdapterToGguf(adapter, { baseModelName: job.baseModelRoot, name: `ingotforge-job-${job.jobId.slice(2)}` });
  return { adapter, adapterBytes, adapterHash: `0x${hashAdapter(adapter)}`, trainedTokens: metrics.tokens, metrics };
}
