import type { Hex } from "viem";
import { createGradientProjection } from "../../eval/attribution/projectGradient.js";
import type { Qwen2Model } from "../../eval/model/types.js";
import { computeInRunFeatures, type InRunCheckpointFeatures } from "../../eval/train/computeInRunFeatures.js";
import { hashAdapter } from "../../eval/train/hashAdapter.js";
import { assertJobSequences } from "../planTrainingJob.js";
import type { RunJobOptions, ScoredSequence } from "../types.js";
import { hashInRunFeatures } from "./hashInRunFeatures.js";
import { assertInRunJobId } from "./planInRunJob.js";
import type { InRunJob } from "./types.js";

export interface RunInRunJobReturnType {
  adapterHash: Hex;
  featuresHash: Hex;
  trainedTokens: number;
  paramNames: string[];
  checkpoints: InRunCheckpointFeatures[];
}

/** The one deterministic execution of an in-run job, shared by workers and the coordinator's re-execution. */
export async function runInRunJob(model: Qwen2Model, job: InRunJob, sequences: readonly ScoredSequence[], options: RunJobOptions = {}): Promise<RunInRunJobReturnType> {
  assertInRunJobId(job);
  assertJobSequences(job, sequences);
  const projection = createGradientProjection(job.projection);
  const out = await computeInRunFeatures({
    model,
    sequences: sequences.map((s) => ({ id: s.id, tokens: s.tokens, scoreFrom: s.scoreFrom })),
    hyper: job.hyper,
    checkpointEvery: job.checkpointEvery,
    preconditioner: job.preconditioner,
    ...(job.checkpointAt ? { checkpointAt: job.checkpointAt } : {}),
    ...(job.exampleWeights ? { exampleWeights: job.exampleWeights } : {}),
    project: (g) => projection.project(g),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return {
    adapterHash: `0x${hashAdapter(out.adapter)}`,
    featuresHash: hashInRunFeatures(out.paramNames, out.checkpoints),
    trainedTokens: out.metrics.tokens,
    paramNames: out.paramNames,
    checkpoints: out.checkpoints,
  };
}
