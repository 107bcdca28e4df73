import { detExp, detLog } from "./detMath.js";

/**
 * Softmax cross-entropy over `rows` logit rows of width `vocab`, row r against `targets[r]`.
 * Writes each row's log-probability of its target into `logProbs` and, when `gradScale` is not
 * null, replaces the logits in place by ∂(gradScale·Σ nll)/∂logits = gradScale·(softmax − onehot).
 * Returns Σ nll.
 */
export function crossEntropy(
  logits: Float64Array,
  targets: ArrayLike<number>,
  targetOffset: number,
  rows: number,
  vocab: number,
  logProbs: Float64Array,
  gradScale: number | null,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if (logits[o + i] > max) max = logits[o + i];
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += detExp(logits[o + i] - max);
    const lse = max + detLog(sum);
    const y = targets[targetOffset + r];
    const lp = logits[o + y] - lse;
    logProbs[r] = lp;
    total -= lp;
    if (gradScale !== null) {
      const inv = gradScale / sum;
      for (let i = 0; i < vocab; i++) logits[o + i] = detExp(logits[o + i] - max) * inv;
      logits[o + y] -= gradScale;
    }
  }
  return total;
}
