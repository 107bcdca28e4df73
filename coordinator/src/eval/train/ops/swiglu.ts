import { detExp } from "./detMath.js";

/**
 * act = silu(gate) · up elementwise over n values, silu(x) = x·σ(x) with σ(x) = 1 / (1 + e^−x) as
 * llama.cpp; σ(gate) is kept in `sig` so the backward pass needs no second exponential.
 */
export function swigluForward(act: Float64Array, sig: Float64Array, gate: Float64Array, up: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    const s = 1 / (1 + detExp(-g));
    sig[i] = s;
    act[i] = g * s * up[i];
  }
}

/** dGate, dUp from dAct: silu'(x) = σ(x)·(1 + x·(1 − σ(x))). */
export function swigluBackward(
  dGate: Float64Array,
  dUp: Float64Array,
  dAct: Float64Array,
  gate: Float64Array,
  sig: Float64Array,
  up: Float64Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    const s = sig[i];
    const d = dAct[i];
    dUp[i] = d * g * s;
    dGate[i] = d * up[i] * s * (1 + g * (1 - s));
  }
}
