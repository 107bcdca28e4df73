/**
 * exp, log, sin and cos built from IEEE-754 basic operations only (+ − × ÷ and exact conversions),
 * ported from fdlibm. `Math.exp` and friends are implementation-defined in ECMAScript: V8 happens
 * to use fdlibm too, but another engine (or a future V8) may round differently, and a single
 * different bit in a softmax changes every later weight of a training run. With these, a LoRA
 * trained on any conforming JavaScript engine is bit-identical. Accuracy is fdlibm's (< 1 ulp).
 */

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e0;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;

// 2^k for every k a finite result can need, built by exact doublings/halvings.
const POW2_MIN = -1074;
const POW2 = (() => {
  const t = new Float64Array(1024 - POW2_MIN + 1);
  const zero = -POW2_MIN;
  t[zero] = 1;
  for (let k = 1; k <= 1023; k++) t[zero + k] = t[zero + k - 1] * 2;
  for (let k = -1; k >= POW2_MIN; k--) t[zero + k] = t[zero + k + 1] / 2;
  t[zero + 1024] = Infinity;
  return t;
})();

function pow2(k: number): number {
  return k < POW2_MIN ? 0 : POW2[k - POW2_MIN];
}

/** e^x, fdlibm `__ieee754_exp`. */
export function detExp(x: number): number {
  if (x !== x) return x;
  if (x > 709.782712893383973096) return Infinity;
  if (x < -745.13321910194110842) return 0;
  const ax = x < 0 ? -x : x;
  let hi: number;
  let lo: number;
  let k: number;
  if (ax > 0.5 * 0.6931471805599453) {
    if (ax < 1.5 * 0.6931471805599453) k = x < 0 ? -1 : 1;
    else k = Math.trunc(INV_LN2 * x + (x < 0 ? -0.5 : 0.5));
    hi = x - k * LN2_HI;
    lo = k * LN2_LO;
    x = hi - lo;
  } else if (ax < 3.725290298461914e-9) {
    return 1 + x;
  } else {
    k = 0;
    hi = 0;
    lo = 0;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  // Split the scaling so 2^k never overflows or underflows on its own.
  if (k > 1000) return y * pow2(k - 1000) * pow2(1000);
  if (k < -1000) return y * pow2(k + 1000) * pow2(-1000);
  return y * pow2(k);
}

const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;
const SQRT2 = 1.4142135623730951;

/** Natural logarithm, fdlibm `__ieee754_log` (exponent split done by exact scaling, not bit tricks). */
export function detLog(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  // x = m · 2^e with m in [1, 2): exact because only powers of two multiply.
  let e = 0;
  let m = x;
  if (m < 2.2250738585072014e-308) {
    m *= 18014398509481984; // 2^54
    e -= 54;
  }
  while (m >= 2 ** 64) { m /= 2 ** 64; e += 64; }
  while (m >= 2) { m /= 2; e += 1; }
  while (m < 2 ** -63) { m *= 2 ** 64; e -= 64; }
  while (m < 1) { m *= 2; e -= 1; }
  if (m > SQRT2) { m /= 2; e += 1; }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  const hfsq = 0.5 * f * f;
  return e * LN2_HI - ((hfsq - (s * (hfsq + r) + e * LN2_LO)) - f);
}

/** base^y for base > 0 as exp(y·log(base)); used for RoPE frequencies (error ~1e-16 relative). */
export function detPow(base: number, y: number): number {
  return detExp(y * detLog(base));
}

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.08757232129817482790e-9;
const C6 = -1.13596475577881948265e-11;
// π/2 in three parts (fdlibm pio2_1, pio2_2, pio2_3 and the tail of the last).
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_3 = 2.02226624871116645580e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const INV_PIO2 = 6.36619772367581382433e-1;

function kernelSin(x: number): number {
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  return x + v * (S1 + z * r);
}

function kernelCos(x: number): number {
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  const hz = 0.5 * z;
  const w = 1 - hz;
  return w + (((1 - w) - hz) + z * r);
}

/**
 * sin and cos of x for |x| < 2^30 (RoPE angles are position × frequency ≤ context length).
 * Medium-size Cody–Waite reduction with π/2 in three parts keeps the reduced argument accurate
 * to ~1e-16 absolute over that range.
 */
export function detSinCos(x: number, out: { sin: number; cos: number }): void {
  if (!(Math.abs(x) < 1073741824)) throw new RangeError(`detSinCos supports |x| < 2^30, got ${x}`);
  const n = Math.trunc(x * INV_PIO2 + (x < 0 ? -0.5 : 0.5));
  // r = x − n·π/2 evaluated as fdlibm does for medium arguments (three-part π/2).
  let r = x - n * PIO2_1;
  let w = n * PIO2_2;
  let t = r;
  r = t - w;
  w = n * PIO2_3 - ((t - r) - w);
  t = r;
  r = t - w;
  w = n * PIO2_3T - ((t - r) - w);
  r = r - w;
  const s = kernelSin(r);
  const c = kernelCos(r);
  switch (((n % 4) + 4) % 4) {
    case 0: out.sin = s; out.cos = c; break;
    case 1: out.sin = c; out.cos = -s; break;
    case 2: out.sin = -s; out.cos = -c; break;
    default: out.sin = -c; out.cos = s; break;
  }
}
