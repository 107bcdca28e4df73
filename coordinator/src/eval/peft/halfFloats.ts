/**
 * bfloat16 (BF16) and binary16 (F16) conversions for safetensors, rounding to nearest even as
 * torch does when it casts float32 down.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bf16BitsToFloat(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

export function floatToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x007fffff) !== 0) return ((x >>> 16) | 0x0040) & 0xffff; // quiet NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** F16 conversions are the GGUF layer's (round to nearest even, subnormals included). */
export { fp16BitsToFp32 as f16BitsToFloat, fp32ToFp16Bits as floatToF16Bits } from "../gguf/float16.js";
