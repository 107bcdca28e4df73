import { canonicalJson } from "../eval/attribution/hashInputs.js";
import type { UnsignedTrainingJobResult } from "./types.js";

/** Carried inside the signed JSON so a result signature can never be replayed as another message. */
export const JOB_RESULT_DOMAIN = "ingotforge/training-job-result/v1";

/**
 * The exact bytes a worker signs: UTF-8 of the canonical JSON (keys sorted by code point, no
 * whitespace, integers as JSON numbers, hex lowercase) of
 * `{ adapterHash, adapterRoot, computeId, domain, jobId, trainedTokens, workerPublicKey }`.
 * Reproducible with jq:
 *   jq -cjS '{adapterHash,adapterRoot,computeId,jobId,trainedTokens,workerPublicKey} + {domain:"ingotforge/training-job-result/v1"}' result.json
 */
export function jobResultMessage(result: UnsignedTrainingJobResult): Uint8Array {
  const fields = {
    adapterHash: result.adapterHash,
    adapterRoot: result.adapterRoot,
    computeId: result.computeId,
    domain: JOB_RESULT_DOMAIN,
    jobId: result.jobId,
    trainedTokens: result.trainedTokens,
    workerPublicKey: result.workerPublicKey,
  };
  return new TextEncoder().encode(canonicalJson(fields));
}
