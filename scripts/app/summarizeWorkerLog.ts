import type { WorkerLogEntry } from "./startAppWorker.js";

const short = (hex: unknown) => (typeof hex === "string" && hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : String(hex));

/**
 * The one readable line `npm run app` prints for a worker process's log entry, or undefined for
 * detail that only `--verbose` shows (start-up fields, training steps).
 */
export function summarizeWorkerLog(entry: WorkerLogEntry): string | undefined {
  switch (entry.msg) {
    case "job claimed":
      return `worker: training job ${short(entry.jobId)} (${String(entry.examples)} sequences)`;
    case "result written":
      return `worker: job ${short(entry.jobId)} trained and signed; adapter ${short(entry.adapterRoot)} stored`;
    case "job failed; error result written":
      return `worker: job ${short(entry.jobId)} failed: ${String((entry.err as { message?: unknown } | undefined)?.message ?? "see the log")}`;
    default:
      return entry.level >= 50 ? `worker: ${entry.msg}` : undefined;
  }
}
