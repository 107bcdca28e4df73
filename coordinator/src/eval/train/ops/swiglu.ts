import { detExp } from "./detMath.js";

/** act = silu(gate) · up, elementwise over n values; silu(x) = x / (1 + e^−x) as llama.cpp. */
export function swigluForward(act: Float64Array, gate: Float64Array, up: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    act[i] = (g / (1 + detExp(-g))) * up[i];
  }
}

/** dGate, dUp from dAct: silu'(x) = σ(x)·(1 + x·(1 − σ(x))). */
export function swigluBackward(
  dGate: Float64Array,
  dUp: Float64Array,
  dAct: Float64Array,
  gate: Float64Array,
  up: Float64Array,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    const sig = 1 / (1 + detExp(-g));
    const d = dAct[i];
    dUp[i] = d * g * sig;
    dGate[i] = d * up[i] * sig * (1 + g * (1 - sig));
  }
}
