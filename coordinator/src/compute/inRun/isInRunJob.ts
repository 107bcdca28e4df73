import type { TrainingJob } from "../types.js";
import type { InRunJob } from "./types.js";

/** Whether an opened job body's job is an in-run feature job (`kind: "in-run-features"`) rather than a plain training job. */
export function isInRunJob(job: TrainingJob | InRunJob): job is InRunJob {
  return (job as Partial<InRunJob>).kind === "in-run-features";
}
