import { maskMembers } from "./coalition.js";
import { evaluateAllSubsets } from "./evaluateAllSubsets.js";
import type { Estimate } from "./types.js";
import type { ExactShapleyParameters } from "./exactShapley.js";

export type ExactBanzhafParameters = ExactShapleyParameters;

/**
 * Exact (Data) Banzhaf values from all 2^n subsets: β_i = 2^{−(n−1)} Σ_{S ⊆ N∖{i}} (U(S ∪ {i}) − U(S)),
 * the mean marginal over uniformly random coalitions. Standard error propagated as in exactShapley.
 */
export async function exactBanzhaf(params: ExactBanzhafParameters): Promise<Estimate> {
  const n = params.players;
  const u = await evaluateAllSubsets(params);
  const w = 1 / 2 ** (n - 1);
  const values = [];
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    let sum = 0;
    let variance = 0;
    for (let mask = 0; mask < u.length; mask++) {
      if (mask & bit) continue;
      sum += u[mask | bit] - u[mask];
      if (params.utilityStdError) {
        const sIn = params.utilityStdError(maskMembers(mask | bit, n));
        const sOut = params.utilityStdError(maskMembers(mask, n));
        variance += w * w * (sIn * sIn + sOut * sOut);
      }
    }
    values.push({ value: sum * w, stdError: Math.sqrt(variance) });
  }
  return { method: "exact-banzhaf", values, evaluations: u.length };
}
