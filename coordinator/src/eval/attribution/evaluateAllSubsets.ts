import { createEvaluator, maskMembers } from "./coalition.js";
import { EstimatorParameterError } from "./errors.js";
import type { EstimatorParameters } from "./types.js";

/** Most players the exact methods accept: 2^10 = 1024 trainings is already a long run. */
export const MAX_EXACT_PLAYERS = 10;

/** U for every subset, indexed by bitmask (bit i = player i), each evaluated once, in mask order. */
export async function evaluateAllSubsets(params: EstimatorParameters & { maxPlayers?: number }): Promise<Float64Array> {
  const n = params.players;
  const max = params.maxPlayers ?? MAX_EXACT_PLAYERS;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new EstimatorParameterError(
      `exact values need 1..${max} players (2^n utility evaluations), got ${n}; use monteCarloShapley or msrBanzhaf for more`,
    );
  }
  const count = 2 ** n;
  const evaluator = createEvaluator({ ...params, plannedEvaluations: count });
  const u = new Float64Array(count);
  for (let mask = 0; mask < count; mask++) u[mask] = await evaluator.value(maskMembers(mask, n));
  return u;
}

export function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}
