import type { Hex } from "viem";
import { rankWorkersWeighted } from "./rankWorkersWeighted.js";
import type { HealthScores } from "./types.js";

/** Names the ranking rule, so a record says how its rankings were made. */
export const ASSIGNMENT_SCHEME = "weighted-rendezvous/v1" as const;

export interface PlanAssignmentsParameters {
  publicSeed: Hex | string;
  jobIds: readonly Hex[];
  workers: readonly { computeId: number }[];
  /** The health scores the plan is weighted by (missing workers weigh `initial`). */
  health?: HealthScores;
  /** Weight of a worker missing from `health` (default 1). */
  initial?: number;
}

/** The plan as it goes into the record: enough to rebuild every ranking. */
export interface AssignmentPlan {
  scheme: typeof ASSIGNMENT_SCHEME;
  publicSeed: string;
  /** Weight of every worker, by computeId. */
  health: Record<string, number>;
  assignments: { jobId: Hex; ranking: number[] }[];
}

/**
 * The deterministic assignment plan of a Forge's jobs: for each job, every worker in the order it
 * is tried (rankWorkersWeighted), from the public seed and the health scores alone. The pool
 * records the seed, the weights and each job's ranking, so anyone can call this again on the record
 * and get the same rankings (a replay); the first ranked worker runs the job, the next distinct
 * ones duplicate it when it is verified.
 */
export function planAssignments(params: PlanAssignmentsParameters): AssignmentPlan {
  const initial = params.initial ?? 1;
  const health: Record<string, number> = {};
  for (const w of [...params.workers].sort((a, b) => a.computeId - b.computeId)) health[String(w.computeId)] = params.health?.[String(w.computeId)] ?? initial;
  return {
    scheme: ASSIGNMENT_SCHEME,
    publicSeed: String(params.publicSeed),
    health,
    assignments: params.jobIds.map((jobId) => ({ jobId, ranking: rankWorkersWeighted({ jobId, publicSeed: params.publicSeed, workers: params.workers, health }).map((w) => w.computeId) })),
  };
}
