import { hexToBytes, type Hex } from "viem";
import type { ContentStore } from "../../storage/types.js";
import type { ComputeWorker, RunJobOptions, ScoredSequence } from "../types.js";
import type { InRunResultClaim } from "./inRunResultWire.js";
import { isInRunWorker } from "./isInRunWorker.js";
import { storeInRunResult } from "./storeInRunResult.js";
import type { InRunJob } from "./types.js";

export interface AnswerInRunJobParameters {
  /** The worker the job's compute id names; it must run in-run jobs. */
  worker: ComputeWorker;
  job: InRunJob;
  sequences: readonly ScoredSequence[];
  /** The job body's key for this job's sealed features. */
  resultRecipient: Hex | undefined;
  forge: Hex;
  /** Where the sealed features go; a worker without one cannot answer in-run jobs. */
  store: ContentStore | undefined;
  options?: RunJobOptions;
}

/**
 * A transport worker's answer to an in-run job, the same over the file queue and NATS: the job
 * run on the worker, its features sealed to the body's `resultRecipient` and put in the store
 * (storeInRunResult); returns the signed claim the transport sends, and the features' hash for
 * the log. Throws, for the transport to answer with an error, when the worker or the body cannot
 * do it.
 */
export async function answerInRunJob(p: AnswerInRunJobParameters): Promise<{ claim: InRunResultClaim; featuresHash: Hex }> {
  const { worker, job, store } = p;
  if (!isInRunWorker(worker) || !store) throw new Error(`job ${job.jobId} is an in-run feature job and this worker does not run those (it needs runInRun and a store)`);
  if (!p.resultRecipient) throw new Error(`in-run job ${job.jobId} names no key to seal its features to (resultRecipient)`);
  const result = await worker.runInRun(job, p.sequences, p.options ?? {});
  const claim = await storeInRunResult({ result, forge: p.forge, recipientPublicKey: hexToBytes(p.resultRecipient), store });
  return { claim, featuresHash: result.featuresHash };
}
