import { TrainInputError } from "./errors.js";
import { computeExampleGradient } from "./computeExampleGradient.js";
import { createWorkspace } from "./forwardBackward.js";
import { hashLoraState } from "./hashLoraState.js";
import { planInRunCheckpoints, type InRunExampleWeights } from "./planInRunCheckpoints.js";
import { prepareLoraRun } from "./prepareLoraRun.js";
import { runTrainingLoopAsync } from "./runTrainingLoop.js";
import type { LoraAdapter } from "../model/types.js";
import type { TrainLoraParameters, TrainMetrics } from "./types.js";

/** How per-example gradients are scaled before the projection (ComputeInRunFeaturesParameters.preconditioner). */
export type InRunPreconditioner = "sign" | "adam" | "none";

/** What one checkpoint of the run yields for in-run attribution (see planInRunCheckpoints). */
export interface InRunCheckpointFeatures {
  step: number;
  endStep: number;
  /** hashLoraState of `values`. */
  stateHash: string;
  /** The LoRA parameters (float64 master values, `paramNames` order) the features are taken at: at the start of `step` ("start"), or after `endStep − 1` ("end"). */
  values: Float64Array[];
  /** Sequence indices the checkpoint weighs, ascending: those trained on in steps step … endStep − 1 ("batch"), or all ("uniform"). */
  examples: number[];
  /** Per entry of `examples`: the projected gradient of that sequence's mean NLL per scored token, at `values` (preconditioned when asked). */
  features: Float64Array[];
}

export interface ComputeInRunFeaturesParameters extends Pick<TrainLoraParameters, "model" | "sequences" | "hyper" | "signal" | "onProgress"> {
  /** A checkpoint every K optimizer steps: at steps 0, K, 2K, … below the last. */
  checkpointEvery: number;
  /**
   * Maps a gradient (one Float64Array per LoRA parameter, in `paramNames` order) to its feature
   * vector, e.g. a seeded random projection. Must be deterministic: features are compared bit for bit.
   */
  project: (grads: readonly Float64Array[]) => Float64Array;
  /**
   * "sign": each gradient g is mapped coordinate-wise to g / (|g| + ε) (ε the optimizer's), the
   * step AdamW takes first on that example alone (m̂ = g, v̂ = g²): the example's direction, with
   * every coordinate moved by about the learning rate whatever its gradient's size. "adam": each
   * gradient scaled coordinate-wise by the run's own AdamW 1/(√v̂ + ε) at the end of its interval
   * (the step the optimizer really takes per unit of batch gradient, as LESS does). "none": the
   * raw gradient (the SGD view of TracIn). Default "none".
   */
  preconditioner?: InRunPreconditioner;
  /** Which examples each checkpoint takes features of (planInRunCheckpoints): "batch" (default), those trained in its interval; "uniform", all. */
  exampleWeights?: InRunExampleWeights;
  /**
   * Where in its interval a checkpoint's weights are: "start" (θ at `step`; the first checkpoint is
   * then the untrained LoRA, whose B = 0 gives A no gradient) or "end" (θ after the interval's last
   * step, as TracIn's saved checkpoints; the last checkpoint is then the run's adapter). Default "start".
   */
  checkpointAt?: "start" | "end";
}

export interface ComputeInRunFeaturesReturnType {
  /** The run's adapter, bit-identical to trainLora's on the same inputs (features are computed beside the run). */
  adapter: LoraAdapter;
  metrics: TrainMetrics;
  paramNames: string[];
  checkpoints: InRunCheckpointFeatures[];
}

/**
 * The per-example-gradient entry point of in-run attribution: trains the LoRA run exactly as
 * `trainLora` does and, at each checkpoint, computes the per-example gradient of every sequence
 * the checkpoint weighs (`exampleWeights`), scaled by `preconditioner`, projected by `project`. The optimizer never sees these
 * gradients (the training step zeroes its gradient buffers first), so the adapter is unchanged.
 * No holdout is involved: this is what an untrusted worker may run.
 */
export async function computeInRunFeatures(params: ComputeInRunFeaturesParameters): Promise<ComputeInRunFeaturesReturnType> {
  const { loop, finish } = prepareLoraRun({ model: params.model, sequences: params.sequences, hyper: params.hyper });
  const { net } = loop;
  const plans = planInRunCheckpoints({ sequences: params.sequences, hyper: params.hyper, checkpointEvery: params.checkpointEvery, ...(params.exampleWeights ? { exampleWeights: params.exampleWeights } : {}) });
  const ws = createWorkspace(net, loop.maxLength);
  const paramNames = net.params.map((p) => p.name);
  const checkpoints: InRunCheckpointFeatures[] = [];
  const [, beta2] = params.hyper.betas;
  const eps = params.hyper.eps;
  let open: { step: number; values: Float64Array[] } | undefined;
  const begin = (step: number) => {
    const plan = plans[checkpoints.length];
    if (!plan || plan.step !== step) throw new TrainInputError(`in-run checkpoint at step ${step} was not planned (expected ${plan?.step})`, { hint: "This is a bug: report it" });
    open = { step, values: atEnd ? [] : net.params.map((p) => p.values.slice()) };
  };
  // Features of an interval are taken when it ends: at the interval's first weights θ_c ("start")
  // or its last ("end"), and (adam) scaled by AdamW's 1/(√v̂ + ε) as it stands at the interval's
  // end. The run's own weights are put back bit for bit afterwards.
  const atEnd = params.checkpointAt === "end";
  const end = (v: readonly Float64Array[], t: number) => {
    const plan = plans[checkpoints.length];
    const current = net.params.map((p) => p.values.slice());
    const step = open!.step;
    const values = atEnd ? current.map((x) => x.slice()) : open!.values;
    net.params.forEach((p, i) => p.values.set(values[i]));
    let scale: Float64Array[] | undefined;
    if (params.preconditioner === "adam") {
      let b2t = 1;
      for (let k = 0; k < t; k++) b2t *= beta2;
      const bc2 = 1 - b2t;
      // At an interval's end a coordinate the optimizer has never seen a gradient in (v = 0: LoRA's A
      // after a first interval of one step, where B = 0 gave it none) would be scaled by 1/ε and
      // swamp every other; it gets 0 there (no step taken per unit of gradient is known yet). At
      // the start such coordinates have no gradient either, so "start" is unchanged.
      scale = v.map((vp) => vp.map((x) => (atEnd && x === 0 ? 0 : 1 / (Math.sqrt(x / bc2) + params.hyper.eps))));
    }
    const features = plan.examples.map((i) => {
      computeExampleGradient(net, ws, [params.sequences[i]]);
      if (scale) net.params.forEach((p, k) => {
        const g = p.grad;
        const d = scale![k];
        for (let j = 0; j < g.length; j++) g[j] *= d[j];
      });
      else if (params.preconditioner === "sign") for (const p of net.params) {
        const g = p.grad;
        for (let j = 0; j < g.length; j++) g[j] = g[j] / (Math.abs(g[j]) + eps);
      }
      return params.project(net.params.map((p) => p.grad));
    });
    net.params.forEach((p, i) => p.values.set(current[i]));
    checkpoints.push({ step, endStep: plan.endStep, stateHash: hashLoraState(paramNames, values), values, examples: plan.examples, features });
  };
  begin(0);
  const { metrics, state } = await runTrainingLoopAsync({
    ...loop,
    ...(params.signal ? { signal: params.signal } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
    checkpointEvery: params.checkpointEvery,
    onCheckpoint: (st) => {
      end(st.v, st.step);
      begin(st.step);
    },
  });
  end(state.v, state.step);
  return { ...finish(metrics), paramNames, checkpoints };
}
