import { createEvaluator } from "./coalition.js";
import { EstimatorParameterError } from "./errors.js";
import type { Estimate, EstimatorParameters, UtilityStdError } from "./types.js";

export interface LeaveOneOutParameters extends EstimatorParameters {
  /** Standard error of each utility value; without it the values are taken as exact (stdError 0). */
  utilityStdError?: UtilityStdError;
}

/**
 * Leave-one-out: value_i = U(N) − U(N∖{i}). n + 1 evaluations. Cheap, but blind to redundancy:
 * two contributions that each make the other unnecessary both get ≈ 0.
 */
export async function leaveOneOut(params: LeaveOneOutParameters): Promise<Estimate> {
  const n = params.players;
  if (!Number.isInteger(n) || n < 1) throw new EstimatorParameterError(`leave-one-out needs at least 1 player, got ${n}`);
  const evaluator = createEvaluator({ ...params, plannedEvaluations: n + 1 });
  const all = Array.from({ length: n }, (_, i) => i);
  const uAll = await evaluator.value(all);
  const values = [];
  for (let i = 0; i < n; i++) {
    const without = all.filter((j) => j !== i);
    const uWithout = await evaluator.value(without);
    const se = params.utilityStdError ? Math.hypot(params.utilityStdError(all), params.utilityStdError(without)) : 0;
    values.push({ value: uAll - uWithout, stdError: se });
  }
  return { method: "leave-one-out", values, evaluations: evaluator.evaluations };
}
