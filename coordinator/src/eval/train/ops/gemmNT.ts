/**
 * C (M×N) = A (M×K) · Bᵀ where B is N×K, all row-major: C[m][n] = Σ_k A[m][k]·B[n][k]. Rows of
 * A, B and C start `lda`, `ldb`, `ldc` values apart (default: packed), so a head's slice of q or a
 * causal block of the attention matrix is used in place.
 * Every product of the trainer goes through here (linear layers forward, input and weight
 * gradients after one cheap transpose), so both operands are always read along their rows.
 *
 * Each output element is one accumulator summed over k in increasing order, then stored (or added
 * to C once when `accumulate`): the result does not depend on the 4×2 register blocking, which
 * only reuses loads. That fixed order is what makes training bit-reproducible.
 */
export function gemmNT(
  c: Float64Array,
  a: Float64Array,
  b: Float64Array,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
  cOffset = 0,
  aOffset = 0,
  bOffset = 0,
  ldc = n,
  lda = k,
  ldb = k,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = aOffset + i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    const c0 = cOffset + i * ldc;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = bOffset + j * ldb;
      const b1 = b0 + ldb;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = b[b0 + p];
        const x1 = b[b1 + p];
        const y0 = a[a0 + p];
        const y1 = a[a1 + p];
        const y2 = a[a2 + p];
        const y3 = a[a3 + p];
        s00 += y0 * x0; s01 += y0 * x1;
        s10 += y1 * x0; s11 += y1 * x1;
        s20 += y2 * x0; s21 += y2 * x1;
        s30 += y3 * x0; s31 += y3 * x1;
      }
      const o = c0 + j;
      if (accumulate) {
        c[o] += s00; c[o + 1] += s01;
        c[o + ldc] += s10; c[o + ldc + 1] += s11;
        c[o + 2 * ldc] += s20; c[o + 2 * ldc + 1] += s21;
        c[o + 3 * ldc] += s30; c[o + 3 * ldc + 1] += s31;
      } else {
        c[o] = s00; c[o + 1] = s01;
        c[o + ldc] = s10; c[o + ldc + 1] = s11;
        c[o + 2 * ldc] = s20; c[o + 2 * ldc + 1] = s21;
        c[o + 3 * ldc] = s30; c[o + 3 * ldc + 1] = s31;
      }
    }
    for (; j < n; j++) {
      const b0 = bOffset + j * ldb;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = b[b0 + p];
        s0 += a[a0 + p] * x0;
        s1 += a[a1 + p] * x0;
        s2 += a[a2 + p] * x0;
        s3 += a[a3 + p] * x0;
      }
      const o = c0 + j;
      if (accumulate) {
        c[o] += s0; c[o + ldc] += s1; c[o + 2 * ldc] += s2; c[o + 3 * ldc] += s3;
      } else {
        c[o] = s0; c[o + ldc] = s1; c[o + 2 * ldc] = s2; c[o + 3 * ldc] = s3;
      }
    }
  }
  for (; i < m; i++) {
    const a0 = aOffset + i * lda;
    const c0 = cOffset + i * ldc;
    for (let j = 0; j < n; j++) {
      const b0 = bOffset + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * b[b0 + p];
      if (accumulate) c[c0 + j] += s;
      else c[c0 + j] = s;
    }
  }
}
