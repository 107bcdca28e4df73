import { maskMembers } from "./coalition.js";
import { evaluateAllSubsets, popcount } from "./evaluateAllSubsets.js";
import type { Estimate, EstimatorParameters, UtilityStdError } from "./types.js";

export interface ExactShapleyParameters extends EstimatorParameters {
  /** Most players accepted (default 10: 1024 subsets). */
  maxPlayers?: number;
  /** Standard error of each utility value, propagated into each player's standard error. */
  utilityStdError?: UtilityStdError;
}

/**
 * Exact Shapley values from all 2^n subsets (each evaluated once):
 *   φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (U(S ∪ {i}) − U(S)).
 * φ_i is linear in the utilities, φ_i = Σ_S c_i(S) U(S), so with independent per-subset noise of
 * standard error σ(S) its standard error is √(Σ_S c_i(S)² σ(S)²).
 */
export async function exactShapley(params: ExactShapleyParameters): Promise<Estimate> {
  const n = params.players;
  const u = await evaluateAllSubsets(params);
  const weight = shapleyWeights(n);
  const values = [];
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    let phi = 0;
    let variance = 0;
    for (let mask = 0; mask < u.length; mask++) {
      if (mask & bit) continue;
      const w = weight[popcount(mask)];
      phi += w * (u[mask | bit] - u[mask]);
      if (params.utilityStdError) {
        // c_i(S) = w(|S|) for S ∌ i taken negatively, and w(|S|) for S ∪ {i}.
        const sIn = params.utilityStdError(maskMembers(mask | bit, n));
        const sOut = params.utilityStdError(maskMembers(mask, n));
        variance += w * w * (sIn * sIn + sOut * sOut);
      }
    }
    values.push({ value: phi, stdError: Math.sqrt(variance) });
  }
  return { method: "exact-shapley", values, evaluations: u.length };
}

/** w[s] = s! (n − s − 1)! / n!, computed as 1 / (n · C(n−1, s)) to stay exact-ish for n ≤ 30. */
export function shapleyWeights(n: number): number[] {
  const w: number[] = [];
  let binom = 1; // C(n-1, s)
  for (let s = 0; s < n; s++) {
    w.push(1 / (n * binom));
    binom = (binom * (n - 1 - s)) / (s + 1);
  }
  return w;
}
