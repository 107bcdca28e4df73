/**
 * IEEE binary16 conversion with round-to-nearest-even, as ggml's GGML_FP32_TO_FP16 (F16C
 * `_cvtss_sh(x, 0)` or its software fallback) does, subnormals included.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function fp32ToFp16Bits(value: number): number {
  f32[0] = value;
  const f = u32[0];
  const sign = (f >>> 16) & 0x8000;
  const fExp = f & 0x7f800000;
  const fSig = f & 0x007fffff;
  if (fExp >= 0x47800000) {
    if (fExp === 0x7f800000 && fSig !== 0) return sign | 0x7e00; // NaN stays NaN
    return sign | 0x7c00; // overflow to infinity
  }
  if (fExp <= 0x38000000) {
    // Half subnormal (or zero): value = full * 2^(e-150), unit 2^-24.
    const e = fExp >>> 23;
    const shift = 126 - e;
    if (shift > 24) return sign;
    const full = fSig | 0x00800000;
    let h = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h += 1;
    return sign | h;
  }
  let h = sign | ((fExp - 0x38000000) >>> 13) | (fSig >>> 13);
  const rem = fSig & 0x1fff;
  // A carry out of the significand correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h += 1;
  return h;
}

export function fp16BitsToFp32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >>> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** Round a number to the nearest binary16 value (returned as a float). */
export function roundToFp16(value: number): number {
  return fp16BitsToFp32(fp32ToFp16Bits(value));
}
