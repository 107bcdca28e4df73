import { detExp, detLog } from "./detMath.js";

/**
 * Softmax cross-entropy over `rows` logit rows of width `vocab`, row r against `targets[r]`.
 * Writes each row's log-probability of its target into `logProbs` and overwrites the logits: when
 * `gradScale` is not null, with ∂(gradScale·Σ nll)/∂logits = gradScale·(softmax − onehot).
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
    const y = targets[targetOffset + r];
    const zy = logits[o + y];
    // The row becomes e^(z − max) in place: summed now, scaled into the gradient below.
    let sum = 0;
    for (let i = 0; i < vocab; i++) {
      const e = detExp(logits[o + i] - max);
      logits[o + i] = e;
      sum += e;
    }
    const lp = zy - (max + detLog(sum));
    logProbs[r] = lp;
    total -= lp;
    if (gradScale !== null) {
      const inv = gradScale / sum;
      for (let i = 0; i < vocab; i++) logits[o + i] *= inv;
      logits[o + y] -= gradScale;
    }
  }
  return total;
}
