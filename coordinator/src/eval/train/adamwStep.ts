import type { TrainableParam } from "./network.js";

export interface AdamWSettings {
  learningRate: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * One AdamW update (PyTorch's `torch.optim.AdamW`: decoupled decay, bias-corrected moments) of
 * every param, in place. `step` is 1-based. β^step is computed by repeated multiplication, not
 * Math.pow, so the result is the same on every engine.
 */
export function adamwStep(params: TrainableParam[], m: Float64Array[], v: Float64Array[], step: number, s: AdamWSettings): void {
  let b1t = 1;
  let b2t = 1;
  for (let i = 0; i < step; i++) {
    b1t *= s.beta1;
    b2t *= s.beta2;
  }
  const bc1 = 1 - b1t;
  const sqrtBc2 = Math.sqrt(1 - b2t);
  const stepSize = s.learningRate / bc1;
  const decay = 1 - s.learningRate * s.weightDecay;
  const b1 = s.beta1;
  const b2 = s.beta2;
  const ob1 = 1 - b1;
  const ob2 = 1 - b2;
  for (let p = 0; p < params.length; p++) {
    const { values, grad } = params[p];
    const mp = m[p];
    const vp = v[p];
    const wd = params[p].decay && s.weightDecay !== 0;
    for (let i = 0; i < values.length; i++) {
      const g = grad[i];
      const mi = b1 * mp[i] + ob1 * g;
      const vi = b2 * vp[i] + ob2 * g * g;
      mp[i] = mi;
      vp[i] = vi;
      let x = values[i];
      if (wd) x *= decay;
      values[i] = x - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + s.eps);
    }
  }
}

/** Scales all gradients so their global L2 norm is at most maxNorm (as torch clip_grad_norm_); returns the norm before. */
export function clipGradNorm(params: TrainableParam[], maxNorm: number): number {
  let ss = 0;
  for (const p of params) {
    const g = p.grad;
    for (let i = 0; i < g.length; i++) ss += g[i] * g[i];
  }
  const norm = Math.sqrt(ss);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const p of params) {
      const g = p.grad;
      for (let i = 0; i < g.length; i++) g[i] *= coef;
    }
  }
  return norm;
}
