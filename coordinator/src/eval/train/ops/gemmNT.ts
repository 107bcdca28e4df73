import { gemmKernelWasm } from "./gemmKernelWasm.js";

/**
 * C (M×N) = A (M×K) · Bᵀ where B is N×K, all row-major: C[m][n] = Σ_k A[m][k]·B[n][k]. Rows of
 * A, B and C start `lda`, `ldb`, `ldc` values apart (default: packed), so a head's slice of q or a
 * causal block of the attention matrix is used in place. Every product of the trainer goes
 * through here (linear layers forward, input and weight gradients after one cheap transpose).
 *
 * Summation order, fixed for reproducible training: each output is two partial sums — the even k
 * and the odd k, each in increasing order — added at the end, then stored (or added once to C
 * when `accumulate`). The WebAssembly SIMD kernel (two f64 lanes) and the JavaScript kernel both
 * compute exactly this, so which one runs (by size, or when WebAssembly SIMD is missing) never
 * changes a bit of the result.
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
  if (m * n * k >= WASM_MIN_WORK && m >= 4 && n >= 2 && k >= 2) {
    const w = wasmKernel();
    if (w) return gemmNTWasm(w, c, a, b, m, n, k, accumulate, cOffset, aOffset, bOffset, ldc, lda, ldb);
  }
  gemmNTJs(c, a, b, m, n, k, accumulate, cOffset, aOffset, bOffset, ldc, lda, ldb);
}

/** Products smaller than this stay in JavaScript: copying into WebAssembly memory would cost more. */
const WASM_MIN_WORK = 16384;

// The project's TypeScript lib has no WebAssembly declarations; these are the few parts used.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface WasmKernel {
  gemm: (c: number, a: number, b: number, m: number, n: number, k: number) => void;
  memory: WasmMemory;
  view: Float64Array;
}

let kernel: WasmKernel | null | undefined;

/** The compiled kernel, made on first use; null where the engine lacks WebAssembly SIMD. */
function wasmKernel(): WasmKernel | null {
  if (kernel !== undefined) return kernel;
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return (kernel = null);
  try {
    const instance = new api.Instance(new api.Module(gemmKernelWasm()), {});
    const { gemm, memory } = instance.exports as unknown as { gemm: WasmKernel["gemm"]; memory: WasmMemory };
    kernel = { gemm, memory, view: new Float64Array(memory.buffer) };
  } catch {
    kernel = null;
  }
  return kernel;
}

/** Whether products run on the WebAssembly SIMD kernel here (they give the same bits either way). */
export function gemmUsesWasm(): boolean {
  return wasmKernel() !== null;
}

/** gemmNT on the SIMD kernel: operands are copied into its memory zero-padded to m%4, n%2, k%2. */
export function gemmNTWasm(
  w: WasmKernel,
  c: Float64Array,
  a: Float64Array,
  b: Float64Array,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
  cOffset: number,
  aOffset: number,
  bOffset: number,
  ldc: number,
  lda: number,
  ldb: number,
): void {
  const m4 = (m + 3) & ~3;
  const n2 = (n + 1) & ~1;
  const k2 = (k + 1) & ~1;
  const aBase = 0;
  const bBase = m4 * k2;
  const cBase = bBase + n2 * k2;
  const need = (cBase + m4 * n2) * 8;
  if (need > w.memory.buffer.byteLength) {
    w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536));
    w.view = new Float64Array(w.memory.buffer);
  }
  const f = w.view;
  for (let i = 0; i < m; i++) {
    const s = aOffset + i * lda;
    f.set(a.subarray(s, s + k), aBase + i * k2);
    if (k2 > k) f[aBase + i * k2 + k] = 0;
  }
  f.fill(0, aBase + m * k2, aBase + m4 * k2);
  for (let j = 0; j < n; j++) {
    const s = bOffset + j * ldb;
    f.set(b.subarray(s, s + k), bBase + j * k2);
    if (k2 > k) f[bBase + j * k2 + k] = 0;
  }
  f.fill(0, bBase + n * k2, bBase + n2 * k2);
  w.gemm(cBase * 8, aBase * 8, bBase * 8, m4, n2, k2);
  for (let i = 0; i < m; i++) {
    const d = cOffset + i * ldc;
    const s = cBase + i * n2;
    if (accumulate) for (let j = 0; j < n; j++) c[d + j] += f[s + j];
    else c.set(f.subarray(s, s + n), d);
  }
}

function dotEvenOdd(a: Float64Array, ao: number, b: Float64Array, bo: number, k: number): number {
  let se = 0;
  let so = 0;
  let p = 0;
  for (; p + 2 <= k; p += 2) {
    se += a[ao + p] * b[bo + p];
    so += a[ao + p + 1] * b[bo + p + 1];
  }
  if (p < k) se += a[ao + p] * b[bo + p];
  return se + so;
}

/** gemmNT in plain JavaScript, 4×2 output blocks, the same even/odd summation as the SIMD kernel. */
export function gemmNTJs(
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
  const kEven = k & ~1;
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
      let e00 = 0, e01 = 0, e10 = 0, e11 = 0, e20 = 0, e21 = 0, e30 = 0, e31 = 0;
      let o00 = 0, o01 = 0, o10 = 0, o11 = 0, o20 = 0, o21 = 0, o30 = 0, o31 = 0;
      for (let p = 0; p < kEven; p += 2) {
        const x0 = b[b0 + p];
        const x1 = b[b1 + p];
        const u0 = b[b0 + p + 1];
        const u1 = b[b1 + p + 1];
        let y = a[a0 + p];
        let z = a[a0 + p + 1];
        e00 += y * x0; e01 += y * x1; o00 += z * u0; o01 += z * u1;
        y = a[a1 + p];
        z = a[a1 + p + 1];
        e10 += y * x0; e11 += y * x1; o10 += z * u0; o11 += z * u1;
        y = a[a2 + p];
        z = a[a2 + p + 1];
        e20 += y * x0; e21 += y * x1; o20 += z * u0; o21 += z * u1;
        y = a[a3 + p];
        z = a[a3 + p + 1];
        e30 += y * x0; e31 += y * x1; o30 += z * u0; o31 += z * u1;
      }
      if (kEven < k) {
        const p = kEven;
        const x0 = b[b0 + p];
        const x1 = b[b1 + p];
        e00 += a[a0 + p] * x0; e01 += a[a0 + p] * x1;
        e10 += a[a1 + p] * x0; e11 += a[a1 + p] * x1;
        e20 += a[a2 + p] * x0; e21 += a[a2 + p] * x1;
        e30 += a[a3 + p] * x0; e31 += a[a3 + p] * x1;
      }
      const o = c0 + j;
      if (accumulate) {
        c[o] += e00 + o00; c[o + 1] += e01 + o01;
        c[o + ldc] += e10 + o10; c[o + ldc + 1] += e11 + o11;
        c[o + 2 * ldc] += e20 + o20; c[o + 2 * ldc + 1] += e21 + o21;
        c[o + 3 * ldc] += e30 + o30; c[o + 3 * ldc + 1] += e31 + o31;
      } else {
        c[o] = e00 + o00; c[o + 1] = e01 + o01;
        c[o + ldc] = e10 + o10; c[o + ldc + 1] = e11 + o11;
        c[o + 2 * ldc] = e20 + o20; c[o + 2 * ldc + 1] = e21 + o21;
        c[o + 3 * ldc] = e30 + o30; c[o + 3 * ldc + 1] = e31 + o31;
      }
    }
    for (; j < n; j++) {
      const b0 = bOffset + j * ldb;
      for (let r = 0; r < 4; r++) {
        const s = dotEvenOdd(a, a0 + r * lda, b, b0, k);
        if (accumulate) c[c0 + r * ldc + j] += s;
        else c[c0 + r * ldc + j] = s;
      }
    }
  }
  for (; i < m; i++) {
    const a0 = aOffset + i * lda;
    const c0 = cOffset + i * ldc;
    for (let j = 0; j < n; j++) {
      const s = dotEvenOdd(a, a0, b, bOffset + j * ldb, k);
      if (accumulate) c[c0 + j] += s;
      else c[c0 + j] = s;
    }
  }
}
