import type { ComputePoolRecord } from "../createComputePool.js";
import type { HealthScores } from "./types.js";

/**
 * The health scores a pool ended with, by computeId: the prior for the same workers' next pool
 * (`createComputePool({ …, health: healthFromRecord(previous) })`). Workers in a record made before
 * health scores existed get `initial` (default 1).
 */
export function healthFromRecord(record: ComputePoolRecord, initial = 1): Record<string, number> {
  return Object.fromEntries(record.workers.map((w) => [String(w.computeId), w.health ?? initial]));
}
