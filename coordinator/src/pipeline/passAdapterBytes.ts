import type { TrainingJob } from "../compute/types.js";
import type { LoraAdapter } from "../eval/model/types.js";
import { loraAdapterToGguf } from "../eval/model/loraAdapterToGguf.js";

/**
 * The GGUF of an in-run pass's own adapter (attribution.servedAdapter.adapter), written exactly as
 * an honest worker writes the plain training `job` of the same examples and seed (trainJobAdapter:
 * base named by its root, adapter by the jobId), so the served file and its 0G root are the ones
 * that training would have stored, without running it.
 */
export function passAdapterBytes(p: { adapter: LoraAdapter; job: Pick<TrainingJob, "jobId" | "baseModelRoot"> }): Uint8Array {
  return loraAdapterToGguf(p.adapter, { baseModelName: p.job.baseModelRoot, name: `ingotforge-job-${p.job.jobId.slice(2)}` });
}
