/** Ranks 1…n, ties given the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const ranks = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && order[e + 1][0] === order[s][0]) e++;
    const r = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) ranks[order[k][1]] = r;
    s = e + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation (Pearson's on average ranks, so ties are handled). null when it is
 * undefined: fewer than 2 pairs, or one side constant.
 */
export function spearmanCorrelation(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`spearmanCorrelation needs equal lengths, got ${x.length} and ${y.length}`);
  const n = x.length;
  if (n < 2) return null;
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) ** 2;
    syy += (ry[i] - mean) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}
