import type { Hex } from "viem";
import type { ComparatorRecord } from "./types.js";

/** One execution of a job as verification sees it; `metric` is the coordinator's holdout metric (metric comparator only). */
export interface ExecutionResult {
  adapterHash: Hex;
  metric?: number;
}

/**
 * Whether two executions of a job agree: equal adapter hashes (always agreement), or — with the
 * metric comparator — holdout metrics at most `tolerance` apart. A missing or non-finite metric
 * never agrees with anything but an identical adapter.
 */
export function resultsAgree(comparator: ComparatorRecord, a: ExecutionResult, b: ExecutionResult): boolean {
  if (a.adapterHash === b.adapterHash) return true;
  if (comparator.kind === "exact") return false;
  if (!Number.isFinite(a.metric) || !Number.isFinite(b.metric)) return false;
  return Math.abs(a.metric! - b.metric!) <= comparator.tolerance;
}
