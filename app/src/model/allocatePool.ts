/**
 * `total` split pro rata to `weights` so the parts sum to it exactly, as the contracts'
 * ShareMath.allocate does (largest remainder: floors, then one unit each to the largest
 * remainders, ties to the lowest index). All zero when every weight is zero.
 */
export function allocatePool(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, w) => a + w, 0n);
  const parts = weights.map(() => 0n);
  if (sum === 0n) return parts;
  const remainders = weights.map(() => 0n);
  let assigned = 0n;
  weights.forEach((w, i) => {
    if (w === 0n) return;
    parts[i] = (total * w) / sum;
    remainders[i] = (total * w) % sum;
    assigned += parts[i];
  });
  const order = weights
    .map((_, i) => i)
    .filter((i) => remainders[i] !== 0n)
    .sort((a, b) => (remainders[a] === remainders[b] ? a - b : remainders[b] > remainders[a] ? 1 : -1));
  for (let k = 0n; k < total - assigned; k++) parts[order[Number(k)]] += 1n;
  return parts;
}
