import type { Hex } from "viem";
import { hashLoraState } from "../../eval/train/hashLoraState.js";
import { planInRunCheckpoints } from "../../eval/train/planInRunCheckpoints.js";
import { expectedTrainedTokens } from "../expectedTrainedTokens.js";
import type { ScoredSequence } from "../types.js";
import { hashInRunFeatures } from "./hashInRunFeatures.js";
import { verifyInRunResultSignature } from "./inRunResultMessage.js";
import type { InRunJob, InRunJobResult } from "./types.js";

export type InRunRejectionReason =
  | "job-id-mismatch"
  | "compute-id-mismatch"
  | "bad-signature"
  | "trained-tokens-mismatch"
  | "features-hash-mismatch"
  | "plan-mismatch"
  | "state-hash-mismatch";

export type CheckInRunResultReturnType = { ok: true } | { ok: false; reason: InRunRejectionReason; detail: string };

/**
 * The checks every in-run result passes before it is compared or used (no holdout needed): the
 * right job and worker, a valid signature by the registered key, the trained tokens the job
 * implies, features that hash to the signed featuresHash, checkpoints at exactly the planned
 * steps over the planned examples with features of the job's dimension, and checkpoint
 * parameters that hash to their stateHash. Never throws on untrusted input.
 */
export function checkInRunResult(p: { job: InRunJob; sequences: readonly ScoredSequence[]; result: InRunJobResult; computeId: number; publicKey: Hex }): CheckInRunResultReturnType {
  const { job, result } = p;
  const no = (reason: InRunRejectionReason, detail: string): CheckInRunResultReturnType => ({ ok: false, reason, detail });
  try {
    if (result.jobId !== job.jobId) return no("job-id-mismatch", `result for ${result.jobId}, job is ${job.jobId}`);
    if (result.computeId !== p.computeId) return no("compute-id-mismatch", `result names worker ${result.computeId}, sent to ${p.computeId}`);
    if (!verifyInRunResultSignature(result, p.publicKey)) return no("bad-signature", "the Ed25519 signature does not verify over the result's claim with the registered key");
    const tokens = expectedTrainedTokens(job.hyper, p.sequences);
    if (result.trainedTokens !== tokens) return no("trained-tokens-mismatch", `claims ${result.trainedTokens} trained tokens, the job implies ${tokens}`);
    if (hashInRunFeatures(result.paramNames, result.checkpoints) !== result.featuresHash) return no("features-hash-mismatch", "the features returned do not hash to the signed featuresHash");
    const plans = planInRunCheckpoints({ sequences: p.sequences, hyper: job.hyper, checkpointEvery: job.checkpointEvery, ...(job.exampleWeights ? { exampleWeights: job.exampleWeights } : {}) });
    if (result.checkpoints.length !== plans.length) return no("plan-mismatch", `${result.checkpoints.length} checkpoints, ${plans.length} planned`);
    for (let c = 0; c < plans.length; c++) {
      const got = result.checkpoints[c];
      const want = plans[c];
      if (got.step !== want.step || got.endStep !== want.endStep || got.examples.length !== want.examples.length || got.examples.some((e, k) => e !== want.examples[k])) {
        return no("plan-mismatch", `checkpoint ${c} covers other steps or examples than planned`);
      }
      if (got.features.length !== want.examples.length || got.features.some((f) => !(f instanceof Float64Array) || f.length !== job.projection.dim)) {
        return no("plan-mismatch", `checkpoint ${c} has features of the wrong count or dimension`);
      }
      if (hashLoraState(result.paramNames, got.values) !== got.stateHash) return no("state-hash-mismatch", `checkpoint ${c}'s parameters do not hash to its stateHash`);
    }
    return { ok: true };
  } catch (cause) {
    return no("plan-mismatch", `malformed result: ${(cause as Error).message}`);
  }
}
