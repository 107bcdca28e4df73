import type { InRunWorker } from "./types.js";

/** Whether a worker (e.g. a ComputeWorker given in-run support with withInRunFeatures) also runs in-run feature jobs. */
export function isInRunWorker(worker: object): worker is InRunWorker {
  return typeof (worker as Partial<InRunWorker>).runInRun === "function" && typeof (worker as Partial<InRunWorker>).computeId === "number";
}
