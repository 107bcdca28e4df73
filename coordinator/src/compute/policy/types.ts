import type { Hex } from "viem";

/**
 * How two executions of one job are compared when a job is verified by duplication.
 * - `exact`: the adapters' hashes must be equal, bit for bit (the deterministic trainer).
 * - `metric`: the coordinator evaluates each adapter on its own holdout (`evaluate`, which workers
 *   never see) and two executions agree when their metrics differ by at most `tolerance`
 *   (external GPU trainers, which are not bit-exact).
 */
export type ResultComparator =
  | { kind: "exact" }
  | {
      kind: "metric";
      /** Largest |metric(a) − metric(b)| at which two executions still agree; ≥ 0 and finite. */
      tolerance: number;
      /** The coordinator's holdout metric of the adapter stored under `adapterRoot` (e.g. mean NLL); finite. */
      evaluate: (adapterRoot: Hex) => Promise<number> | number;
    };

/** The comparator as it goes into the record (no function). */
export type ComparatorRecord = { kind: "exact" } | { kind: "metric"; tolerance: number };

/**
 * How health scores move. A score lives in [minHealth, 1]; each worker starts at `initial` (or its
 * supplied prior). Defaults: initial 1, fault ×0.2, timeout or error ×0.8, recovery +5 % of the gap
 * to 1 per verified job, floor 0.01.
 */
export interface HealthPolicy {
  /** Score of a worker with no prior (default 1). */
  initial: number;
  /** Multiplier on a proven fault: a result outvoted by verification or failing a check (default 0.2). */
  faultFactor: number;
  /** Multiplier on a timeout or a thrown error — no proof of cheating, so a smaller drop (default 0.8). */
  timeoutFactor: number;
  /** Share of the gap to 1 recovered per execution that verification confirmed (default 0.05). */
  recovery: number;
  /** Lowest score: keeps every worker's weight positive so it can earn its way back (default 0.01). */
  minHealth: number;
}

/** What happened to a worker on one execution, as far as its health is concerned. */
export type HealthEvent = "verified" | "fault" | "timed-out" | "failed";

/** Health scores by computeId, JSON-safe (keys are computeIds as strings). */
export type HealthScores = Readonly<Record<string, number>>;
