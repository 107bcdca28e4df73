/**
 * The bytes of a WebAssembly module (SIMD, f64x2) exporting `gemm(c, a, b, m, n, k)` and its
 * `memory`: C (m×n) = A (m×k) · Bᵀ (B is n×k), packed rows, byte pointers, m % 4 = 0, n % 2 = 0,
 * k % 2 = 0. Each output is two lanes — lane 0 sums the even k, lane 1 the odd k, each in
 * increasing order — added at the end: exactly the order gemmNTJs uses, so both give the same bits.
 * WebAssembly float arithmetic is IEEE-754 with no fused multiply-add, so the result is the same
 * on every engine. Generated here rather than shipped as a binary so the code can be read.
 */
export function gemmKernelWasm(): Uint8Array {
  const uleb = (n: number): number[] => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const sleb = (n: number): number[] => {
    const out: number[] = [];
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
        out.push(b);
        return out;
      }
      out.push(b | 0x80);
    }
  };
  const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const name = (s: string) => [...uleb(s.length), ...[...s].map((ch) => ch.charCodeAt(0))];
  const I32 = 0x7f;
  const V128 = 0x7b;

  // Params 0–5: c a b m n k. Then i32 locals, then v128 locals.
  const P = { c: 0, a: 1, b: 2, m: 3, n: 4, k: 5 };
  let next = 6;
  const L: Record<string, number> = {};
  for (const l of ["i", "j", "p", "kb", "pa0", "pa1", "pa2", "pa3", "pb0", "pb1", "cp"]) L[l] = next++;
  const firstV128 = next;
  for (const l of ["s00", "s01", "s10", "s11", "s20", "s21", "s30", "s31", "x0", "x1", "y"]) L[l] = next++;

  const get = (x: number) => [0x20, ...uleb(x)];
  const set = (x: number) => [0x21, ...uleb(x)];
  const tee = (x: number) => [0x22, ...uleb(x)];
  const i32 = (v: number) => [0x41, ...sleb(v)];
  const add = [0x6a];
  const mul = [0x6c];
  const shl = [0x74];
  const ltU = [0x49];
  const loop = [0x03, 0x40];
  const end = [0x0b];
  const brIf0 = [0x0d, 0];
  const load = (ptr: number) => [...get(ptr), ...get(L.p), ...add, 0xfd, 0x00, 3, 0]; // v128.load align=8
  const f64x2Add = [0xfd, 0xf0, 0x01];
  const f64x2Mul = [0xfd, 0xf2, 0x01];
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const lane = (l: number) => [0xfd, 0x21, l]; // f64x2.extract_lane
  const f64Add = [0xa0];
  const f64Store = (offset: number) => [0x39, 3, ...uleb(offset)];

  const code: number[] = [];
  const emit = (...parts: number[][]) => parts.forEach((x) => code.push(...x));
  emit(get(P.k), i32(3), shl, set(L.kb));
  emit(i32(0), set(L.i), loop);
  emit(get(P.a), get(L.i), get(L.kb), mul, add, tee(L.pa0), get(L.kb), add, tee(L.pa1), get(L.kb), add, tee(L.pa2), get(L.kb), add, set(L.pa3));
  emit(i32(0), set(L.j), loop);
  emit(get(P.b), get(L.j), get(L.kb), mul, add, tee(L.pb0), get(L.kb), add, set(L.pb1));
  const acc = [["s00", "s01", "pa0"], ["s10", "s11", "pa1"], ["s20", "s21", "pa2"], ["s30", "s31", "pa3"]] as const;
  for (const [s0, s1] of acc) emit(zero, set(L[s0]), zero, set(L[s1]));
  emit(i32(0), set(L.p), loop);
  emit(load(L.pb0), set(L.x0), load(L.pb1), set(L.x1));
  for (const [s0, s1, pa] of acc) {
    emit(load(L[pa]), set(L.y));
    emit(get(L[s0]), get(L.y), get(L.x0), f64x2Mul, f64x2Add, set(L[s0]));
    emit(get(L[s1]), get(L.y), get(L.x1), f64x2Mul, f64x2Add, set(L[s1]));
  }
  emit(get(L.p), i32(16), add, tee(L.p), get(L.kb), ltU, brIf0, end);
  emit(get(P.c), get(L.i), get(P.n), mul, get(L.j), add, i32(3), shl, add, set(L.cp));
  acc.forEach(([s0, s1], r) => {
    ([[0, s0], [1, s1]] as const).forEach(([col, s]) => {
      emit(get(L.cp), get(P.n), i32(r * 8), mul, add);
      emit(get(L[s]), lane(0), get(L[s]), lane(1), f64Add, f64Store(col * 8));
    });
  });
  emit(get(L.j), i32(2), add, tee(L.j), get(P.n), ltU, brIf0, end);
  emit(get(L.i), i32(4), add, tee(L.i), get(P.m), ltU, brIf0, end);
  emit(end);

  const locals = [[...uleb(firstV128 - 6), I32], [...uleb(next - firstV128), V128]];
  const func = [...vec(locals), ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(new Array(6).fill([I32])), ...vec([])]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...name("gemm"), 0x00, 0], [...name("memory"), 0x02, 0]])),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ]);
}
