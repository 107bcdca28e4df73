import { fp16BitsToFp32, fp32ToFp16Bits, roundToFp16 } from "../gguf/float16.js";
import type { Tensor } from "../model/types.js";

/**
 * What llama.cpp's CPU backend does inside a product with a quantized or F16 weight, so the
 * float64 reference can compute the same numbers:
 * - Q8_0 / Q4_0 weights: the float32 activation row is quantized to Q8_0 blocks first
 *   (x86 `quantize_row_q8_0`: d = amax/127 in float32, stored fp16; q = round-to-nearest-even
 *   of x·(127/amax)), then each block contributes fp32(d_w·d_x) · Σ q_w·q_x.
 * - F16 weights: the activation row is converted to fp16 (F16's vec_dot type), products exact.
 */
interface Blocks {
  q: Int8Array;
  d: Float64Array;
}

const blockCache = new WeakMap<Tensor, Blocks>();

function weightBlocks(t: Tensor): Blocks {
  const hit = blockCache.get(t);
  if (hit) return hit;
  if (!t.raw) throw new Error(`${t.name}: quantized tensor without raw blocks`);
  const n = t.values.length;
  const q = new Int8Array(n);
  const d = new Float64Array(n / 32);
  const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  for (let b = 0; b < n / 32; b++) {
    if (t.type === "Q8_0") {
      d[b] = fp16BitsToFp32(view.getUint16(b * 34, true));
      for (let j = 0; j < 32; j++) q[b * 32 + j] = view.getInt8(b * 34 + 2 + j);
    } else {
      d[b] = fp16BitsToFp32(view.getUint16(b * 18, true));
      for (let j = 0; j < 16; j++) {
        const byte = t.raw[b * 18 + 2 + j];
        q[b * 32 + j] = (byte & 0x0f) - 8;
        q[b * 32 + j + 16] = (byte >> 4) - 8;
      }
    }
  }
  const blocks = { q, d };
  blockCache.set(t, blocks);
  return blocks;
}

/** Round half to even, as `_mm256_round_ps(x, _MM_ROUND_NEAREST)`. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Q8_0 blocks of an activation row as llama.cpp's x86 path makes them. */
export function quantizeActivationQ8_0(x: Float64Array): Blocks {
  const n = x.length;
  const q = new Int8Array(n);
  const d = new Float64Array(n / 32);
  for (let b = 0; b < n / 32; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(Math.fround(x[b * 32 + j])));
    d[b] = fp16BitsToFp32(fp32ToFp16Bits(Math.fround(amax / 127)));
    const id = amax !== 0 ? Math.fround(127 / amax) : 0;
    for (let j = 0; j < 32; j++) q[b * 32 + j] = roundEven(Math.fround(Math.fround(x[b * 32 + j]) * id));
  }
  return { q, d };
}

/** y = W x with W of shape [n_in, n_out], computing what the engine computes for W's type. */
export function engineMatVec(w: Tensor, x: Float64Array): Float64Array {
  const nIn = w.shape[0];
  const nOut = w.values.length / nIn;
  const y = new Float64Array(nOut);
  if (w.type === "Q8_0" || w.type === "Q4_0") {
    const wb = weightBlocks(w);
    const xb = quantizeActivationQ8_0(x);
    const nb = nIn / 32;
    const dProd = new Float64Array(nb);
    for (let o = 0; o < nOut; o++) {
      let acc = 0;
      for (let b = 0; b < nb; b++) {
        let isum = 0;
        const base = o * nIn + b * 32;
        for (let j = 0; j < 32; j++) isum += wb.q[base + j] * xb.q[b * 32 + j];
        dProd[b] = Math.fround(wb.d[o * nb + b] * xb.d[b]);
        acc += dProd[b] * isum;
      }
      y[o] = acc;
    }
    return y;
  }
  const xr = w.type === "F16" ? x.map(roundToFp16) : x;
  const v = w.values;
  for (let o = 0; o < nOut; o++) {
    let acc = 0;
    const base = o * nIn;
    for (let i = 0; i < nIn; i++) acc += v[base + i] * xr[i];
    y[o] = acc;
  }
  return y;
}

/** y = W x in float64 with W's dequantized values (no activation rounding). */
export function exactMatVec(w: Tensor, x: Float64Array): Float64Array {
  const nIn = w.shape[0];
  const nOut = w.values.length / nIn;
  const y = new Float64Array(nOut);
  const v = w.values;
  for (let o = 0; o < nOut; o++) {
    let acc = 0;
    const base = o * nIn;
    for (let i = 0; i < nIn; i++) acc += v[base + i] * x[i];
    y[o] = acc;
  }
  return y;
}
