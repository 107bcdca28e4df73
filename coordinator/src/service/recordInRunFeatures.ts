import { appendFile } from "node:fs/promises";
import type { Hex } from "viem";

export interface RecordInRunFeaturesParameters {
  /** The Forge's journal of sealed in-run features (`<workDir>/in-run-features.jsonl`). */
  file: string;
  jobId: Hex;
  computeId: number;
  /** The root of an envelope the coordinator's client opened with its result key. */
  featuresRoot: Hex;
}

/**
 * Append one opened features envelope to the Forge's journal, so discardInRunFeatures finds it
 * after the result is submitted, even when the process that fetched it has restarted since.
 */
export async function recordInRunFeatures(params: RecordInRunFeaturesParameters): Promise<void> {
  const line = JSON.stringify({ jobId: params.jobId, computeId: params.computeId, featuresRoot: params.featuresRoot.toLowerCase() });
  await appendFile(params.file, `${line}\n`);
}
