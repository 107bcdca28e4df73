import { ComputeError } from "../errors.js";

/**
 * Why a job cannot be replayed (as opposed to replaying and not matching):
 * - `job-not-found`: the record has no job with that id;
 * - `record-altered`: the recorded job's fields do not hash to its jobId, so the record itself was
 *   changed after the pool wrote it (nothing it says about this job can be trusted);
 * - `sequences-unavailable`: the job's examples are not among the sequences or datasets given;
 * - `sequences-mismatch`: re-tokenized examples do not hash to the job's sequencesHash;
 * - `base-mismatch`: the base model given is not the one the job names.
 */
export type ReplayJobErrorCode = "job-not-found" | "record-altered" | "sequences-unavailable" | "sequences-mismatch" | "base-mismatch";

/** A job could not be replayed from its record with the inputs given. */
export class ReplayJobError extends ComputeError {
  override name = "ReplayJobError";
  constructor(
    readonly code: ReplayJobErrorCode,
    readonly jobId: string,
    message: string,
    options: { hint: string; cause?: unknown },
  ) {
    super(message, options);
  }
}
