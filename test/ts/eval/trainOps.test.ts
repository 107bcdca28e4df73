import { describe, expect, it } from "vitest";
import { adamwStep, clipGradNorm } from "../../../coordinator/src/eval/train/adamwStep.js";
import { createBatchSchedule } from "../../../coordinator/src/eval/train/batchSchedule.js";
import type { TrainableParam } from "../../../coordinator/src/eval/train/network.js";
import { detExp, detLog, detPow, detSinCos } from "../../../coordinator/src/eval/train/ops/detMath.js";
import { gemmNT, gemmNTJs, gemmUsesWasm } from "../../../coordinator/src/eval/train/ops/gemmNT.js";
import { applyRope, createRopeTable } from "../../../coordinator/src/eval/train/ops/rope.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";

describe("deterministic math", () => {
  const prng = createPrng("detmath");

  it("detExp and detLog agree with Math.exp / Math.log to within 2 ulp over the whole range", () => {
    for (let i = 0; i < 20000; i++) {
      const x = (prng.next() - 0.5) * 1400;
      expect(Math.abs(detExp(x) - Math.exp(x))).toBeLessThanOrEqual(2 * Number.EPSILON * Math.exp(x));
      const y = Math.exp((prng.next() - 0.5) * 1400);
      expect(Math.abs(detLog(y) - Math.log(y))).toBeLessThanOrEqual(2 * Number.EPSILON * Math.max(1, Math.abs(Math.log(y))));
    }
    expect([detExp(0), detExp(-Infinity), detExp(800), detLog(1), detLog(0)]).toEqual([1, 0, Infinity, 0, -Infinity]);
    expect(detLog(5e-324)).toBeCloseTo(Math.log(5e-324), 10);
    expect(Number.isNaN(detLog(-1))).toBe(true);
  });

  it("detSinCos agrees with Math.sin / Math.cos to 1e-15 for RoPE-sized angles", () => {
    const out = { sin: 0, cos: 0 };
    for (let i = 0; i < 20000; i++) {
      const x = (prng.next() - 0.5) * 70000;
      detSinCos(x, out);
      expect(Math.abs(out.sin - Math.sin(x))).toBeLessThan(1e-15 * Math.max(1, Math.abs(x) / 1000));
      expect(Math.abs(out.cos - Math.cos(x))).toBeLessThan(1e-15 * Math.max(1, Math.abs(x) / 1000));
    }
    expect(() => detSinCos(2 ** 31, out)).toThrow(RangeError);
    expect(Math.abs(detPow(1e6, -0.25) - Math.pow(1e6, -0.25))).toBeLessThan(1e-16);
  });
});

describe("gemmNT", () => {
  const prng = createPrng("gemm");
  const rand = (n: number) => Float64Array.from({ length: n }, () => prng.next() - 0.5);

  it("sums each output as (even k in order) + (odd k in order), bit for bit, for every blocking remainder", () => {
    for (const [m, n, k] of [[1, 1, 1], [5, 3, 7], [8, 6, 16], [7, 9, 5], [33, 17, 65]]) {
      const a = rand(m * k);
      const b = rand(n * k);
      const c = new Float64Array(m * n).fill(1);
      gemmNT(c, a, b, m, n, k, true);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let even = 0;
          let odd = 0;
          for (let p = 0; p < k; p++) {
            if (p % 2 === 0) even += a[i * k + p] * b[j * k + p];
            else odd += a[i * k + p] * b[j * k + p];
          }
          expect(c[i * n + j]).toBe(1 + (even + odd));
        }
      }
    }
  });

  it("gives the same bits on the WebAssembly SIMD kernel and in JavaScript, strided and accumulating", () => {
    expect(gemmUsesWasm()).toBe(true); // Node 22 has WebAssembly SIMD; the fast path must be the one tested
    for (const [m, n, k] of [[64, 40, 33], [37, 129, 64], [4, 256, 32], [130, 7, 255]]) {
      const lda = k + 3;
      const ldb = k + 1;
      const ldc = n + 2;
      const a = rand(m * lda + 5);
      const b = rand(n * ldb + 2);
      const start = rand(m * ldc + 4);
      const viaDispatch = start.slice();
      const viaJs = start.slice();
      gemmNT(viaDispatch, a, b, m, n, k, true, 4, 5, 2, ldc, lda, ldb);
      gemmNTJs(viaJs, a, b, m, n, k, true, 4, 5, 2, ldc, lda, ldb);
      expect(Buffer.from(viaDispatch.buffer).equals(Buffer.from(viaJs.buffer))).toBe(true);
      expect(viaDispatch).not.toEqual(start);
    }
  });
});

describe("rope", () => {
  it("rotates each pair (i, i + d/2) by position·θ^(−2i/d) and the inverse undoes it", () => {
    const t = createRopeTable(8, 4, 10000);
    const x = Float64Array.from([1, 2, 3, 4, /* pos 1 */ 1, 2, 3, 4]);
    applyRope(x, t, 2, 1, false);
    expect(Array.from(x.slice(0, 4))).toEqual([1, 2, 3, 4]); // position 0: no rotation
    const a0 = 1;
    const a1 = 1 * 10000 ** -0.5;
    expect(x[4]).toBeCloseTo(1 * Math.cos(a0) - 3 * Math.sin(a0), 14);
    expect(x[6]).toBeCloseTo(1 * Math.sin(a0) + 3 * Math.cos(a0), 14);
    expect(x[5]).toBeCloseTo(2 * Math.cos(a1) - 4 * Math.sin(a1), 14);
    expect(x[7]).toBeCloseTo(2 * Math.sin(a1) + 4 * Math.cos(a1), 14);
    applyRope(x, t, 2, 1, true);
    expect(Array.from(x).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
  });
});

describe("adamwStep", () => {
  it("follows torch.optim.AdamW: decoupled decay on matrices only, bias-corrected moments", () => {
    const mk = (decay: boolean): TrainableParam => ({ name: decay ? "w" : "norm", values: Float64Array.from([0.5, -1]), grad: new Float64Array(2), decay });
    const params = [mk(true), mk(false)];
    const m = params.map(() => new Float64Array(2));
    const v = params.map(() => new Float64Array(2));
    const s = { learningRate: 0.1, weightDecay: 0.5, beta1: 0.9, beta2: 0.99, eps: 1e-8 };
    // Plain reference of the same three steps.
    const ref = params.map((p) => ({ x: Array.from(p.values), m: [0, 0], v: [0, 0], decay: p.decay }));
    const grads = [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.05]];
    for (let step = 1; step <= 3; step++) {
      for (const p of params) p.grad.set(grads[step - 1]);
      adamwStep(params, m, v, step, s);
      for (const r of ref) {
        for (let i = 0; i < 2; i++) {
          const g = grads[step - 1][i];
          if (r.decay) r.x[i] *= 1 - s.learningRate * s.weightDecay;
          r.m[i] = s.beta1 * r.m[i] + (1 - s.beta1) * g;
          r.v[i] = s.beta2 * r.v[i] + (1 - s.beta2) * g * g;
          const mh = r.m[i] / (1 - s.beta1 ** step);
          const vh = r.v[i] / (1 - s.beta2 ** step);
          r.x[i] -= (s.learningRate * mh) / (Math.sqrt(vh) + s.eps);
        }
      }
    }
    params.forEach((p, k) => p.values.forEach((x, i) => expect(x).toBeCloseTo(ref[k].x[i], 12)));
    expect(params[0].values[0]).not.toBeCloseTo(params[1].values[0], 3);
  });

  it("clipGradNorm scales the global norm down to the limit and leaves small gradients alone", () => {
    const p: TrainableParam = { name: "w", values: new Float64Array(2), grad: Float64Array.from([3, 4]), decay: true };
    expect(clipGradNorm([p], 1)).toBe(5);
    expect(Math.hypot(p.grad[0], p.grad[1])).toBeCloseTo(1, 6);
    p.grad.set([0.3, 0.4]);
    clipGradNorm([p], 1);
    expect(Array.from(p.grad)).toEqual([0.3, 0.4]);
  });
});

describe("createBatchSchedule", () => {
  it("covers every sequence exactly once per epoch, in a seeded order that changes between epochs", () => {
    const s = createBatchSchedule({ seed: "x", count: 10, batchSize: 4, epochs: 2 });
    expect(s.batchesPerEpoch).toBe(3);
    expect(s.totalSteps).toBe(6);
    const e0 = [0, 1, 2].flatMap((k) => s.batch(k));
    const e1 = [3, 4, 5].flatMap((k) => s.batch(k));
    expect(s.batch(2)).toHaveLength(2);
    expect(e0.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e0).not.toEqual(e1);
    const again = createBatchSchedule({ seed: "x", count: 10, batchSize: 4, steps: 6 });
    expect(again.batch(4)).toEqual(s.batch(4)); // any step is computable on its own (resume)
    expect(createBatchSchedule({ seed: "y", count: 10, batchSize: 4, steps: 1 }).batch(0)).not.toEqual(s.batch(0));
  });
});
