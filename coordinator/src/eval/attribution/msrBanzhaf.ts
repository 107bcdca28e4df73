import { createPrng } from "../../util/prng.js";
import { createEvaluator } from "./coalition.js";
import { EstimatorParameterError } from "./errors.js";
import type { Estimate, EstimatorParameters } from "./types.js";

export interface MsrBanzhafParameters extends EstimatorParameters {
  /** Subsets to sample. Each is evaluated once and reused for every player (maximum sample reuse). */
  samples: number;
  /** Seed of the subset sampler (`createPrng`). */
  seed: string | number;
}

/**
 * Data Banzhaf by maximum sample reuse (Wang & Jia 2023): sample subsets S_1..S_m with every
 * player in each independently with probability 1/2; then
 *   β_i ≈ mean{U(S_k) : i ∈ S_k} − mean{U(S_k) : i ∉ S_k},
 * standard error √(var_in / m_in + var_out / m_out). Every sample informs every player, and
 * Banzhaf's uniform weights make it the most robust of the semivalues to training noise.
 */
export async function msrBanzhaf(params: MsrBanzhafParameters): Promise<Estimate> {
  const n = params.players;
  const m = params.samples;
  if (!Number.isInteger(n) || n < 1 || n > 52) throw new EstimatorParameterError(`MSR Banzhaf needs 1..52 players, got ${n}`);
  if (!Number.isInteger(m) || m < 4) throw new EstimatorParameterError(`MSR Banzhaf needs at least 4 samples, got ${m}`);
  const prng = createPrng(params.seed);
  const evaluator = createEvaluator({ ...params, plannedEvaluations: Math.min(2 ** n, m) });

  // Per side [out, in]: count, Welford running mean and squared deviations.
  const count = [new Float64Array(n), new Float64Array(n)];
  const mean = [new Float64Array(n), new Float64Array(n)];
  const m2 = [new Float64Array(n), new Float64Array(n)];
  for (let k = 0; k < m; k++) {
    const inside = Array.from({ length: n }, () => prng.next() < 0.5);
    const u = await evaluator.value(inside.flatMap((isIn, i) => (isIn ? [i] : [])));
    for (let i = 0; i < n; i++) {
      const side = inside[i] ? 1 : 0;
      const c = ++count[side][i];
      const delta = u - mean[side][i];
      mean[side][i] += delta / c;
      m2[side][i] += delta * (u - mean[side][i]);
    }
  }
  const values = [];
  for (let i = 0; i < n; i++) {
    const [mOut, mIn] = [count[0][i], count[1][i]];
    if (mIn < 2 || mOut < 2) {
      throw new EstimatorParameterError(
        `MSR Banzhaf drew player ${i} in ${mIn} and out of ${mOut} of ${m} samples; both need ≥ 2. Draw more samples`,
      );
    }
    const varIn = m2[1][i] / (mIn - 1);
    const varOut = m2[0][i] / (mOut - 1);
    values.push({ value: mean[1][i] - mean[0][i], stdError: Math.sqrt(varIn / mIn + varOut / mOut) });
  }
  return { method: "msr-banzhaf", values, evaluations: evaluator.evaluations, samples: m, seed: params.seed };
}
