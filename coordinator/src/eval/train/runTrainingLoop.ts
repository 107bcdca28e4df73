import { adamwStep, clipGradNorm } from "./adamwStep.js";
import { createBatchSchedule } from "./batchSchedule.js";
import { TrainAbortedError, TrainDivergedError, TrainResumeError } from "./errors.js";
import { createWorkspace, forwardBackward } from "./forwardBackward.js";
import { learningRateAt } from "./learningRateAt.js";
import type { Network } from "./network.js";
import type { OptimizerHyperParameters, ScoredSequence, TrainCallbacks, TrainMetrics, TrainState } from "./types.js";

export interface RunTrainingLoopParameters extends TrainCallbacks {
  kind: TrainState["kind"];
  fingerprint: string;
  net: Network;
  sequences: readonly ScoredSequence[];
  maxLength: number;
  hyper: OptimizerHyperParameters;
  seed: string | number;
  /** Called after every optimizer update (the pretrainer refreshes its transposed weights). */
  afterUpdate?: () => void;
}

function snapshot(net: Network, kind: TrainState["kind"], fingerprint: string, step: number, m: Float64Array[], v: Float64Array[], lossPerStep: number[], tokens: number, inputTokens: number, copy: boolean): TrainState {
  const c = (a: Float64Array) => (copy ? a.slice() : a);
  return {
    kind,
    fingerprint,
    step,
    paramNames: net.params.map((p) => p.name),
    values: net.params.map((p) => c(p.values)),
    m: m.map(c),
    v: v.map(c),
    lossPerStep: lossPerStep.slice(),
    tokens,
    inputTokens,
  };
}

function applyResume(net: Network, state: TrainState, kind: TrainState["kind"], fingerprint: string, m: Float64Array[], v: Float64Array[]): void {
  const refuse = (what: string) =>
    new TrainResumeError(`Cannot resume: ${what}`, {
      hint: "Resume only with the state of a run on the same model, data, hyper-parameters and seed, or start over without resumeFrom",
    });
  if (state.kind !== kind) throw refuse(`the state is from a ${state.kind} run, this is a ${kind} run`);
  if (state.fingerprint !== fingerprint) throw refuse(`the state's inputs fingerprint ${state.fingerprint.slice(0, 12)}… differs from ${fingerprint.slice(0, 12)}…`);
  if (state.paramNames.length !== net.params.length || state.paramNames.some((n, i) => n !== net.params[i].name)) {
    throw refuse("the state's parameter list differs");
  }
  net.params.forEach((p, i) => {
    if (state.values[i].length !== p.values.length || state.m[i].length !== p.values.length || state.v[i].length !== p.values.length) {
      throw refuse(`parameter ${p.name} has the wrong length`);
    }
    p.values.set(state.values[i]);
    m[i].set(state.m[i]);
    v[i].set(state.v[i]);
  });
}

/**
 * The training loop shared by trainLora and pretrain: seeded batches, summed gradients in a fixed
 * order, optional clipping, AdamW; progress after every step; stops between steps on abort with a
 * state that resumes to the bit-identical result.
 */
export interface TrainingLoopResult {
  metrics: TrainMetrics;
  state: TrainState;
}

/** Runs every step on the calling thread without yielding (an abort can only come from onProgress). */
export function runTrainingLoop(p: RunTrainingLoopParameters): TrainingLoopResult {
  const steps = trainingSteps(p);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * Same steps, yielding to the event loop after each one, so a SIGINT handler or a timer that
 * aborts the signal is heard between steps (a synchronous loop would block it until the end).
 */
export async function runTrainingLoopAsync(p: RunTrainingLoopParameters): Promise<TrainingLoopResult> {
  const steps = trainingSteps(p);
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The loop as a generator that yields the step count after every optimizer step. */
function* trainingSteps(p: RunTrainingLoopParameters): Generator<number, TrainingLoopResult> {
  const { net, sequences, hyper, kind, fingerprint } = p;
  const started = performance.now();
  const schedule = createBatchSchedule({ seed: p.seed, count: sequences.length, batchSize: hyper.batchSize, steps: hyper.steps, epochs: hyper.epochs });
  const totalSteps = schedule.totalSteps;
  const m = net.params.map((q) => new Float64Array(q.values.length));
  const v = net.params.map((q) => new Float64Array(q.values.length));
  let step = 0;
  let lossPerStep: number[] = [];
  let tokens = 0;
  let inputTokens = 0;
  if (p.resumeFrom) {
    applyResume(net, p.resumeFrom, kind, fingerprint, m, v);
    step = p.resumeFrom.step;
    lossPerStep = p.resumeFrom.lossPerStep.slice();
    tokens = p.resumeFrom.tokens;
    inputTokens = p.resumeFrom.inputTokens;
    p.afterUpdate?.();
  }
  const ws = createWorkspace(net, p.maxLength);
  const [beta1, beta2] = hyper.betas;
  let runInputTokens = 0;
  const firstStep = step;

  while (step < totalSteps) {
    if (p.signal?.aborted) throw new TrainAbortedError(step, snapshot(net, kind, fingerprint, step, m, v, lossPerStep, tokens, inputTokens, false), p.signal.reason);
    const batch = schedule.batch(step);
    let batchTokens = 0;
    let batchInput = 0;
    for (const i of batch) {
      batchTokens += sequences[i].tokens.length - sequences[i].scoreFrom;
      batchInput += sequences[i].tokens.length;
    }
    for (const q of net.params) q.grad.fill(0);
    const scale = 1 / batchTokens;
    let nll = 0;
    for (const i of batch) nll += forwardBackward(net, ws, sequences[i].tokens, sequences[i].scoreFrom, scale).nll;
    // Checked before the update, so the weights of the last finite step are what is left behind.
    if (!Number.isFinite(nll)) throw new TrainDivergedError(step, nll / batchTokens);
    if (hyper.maxGradNorm !== undefined) clipGradNorm(net.params, hyper.maxGradNorm);
    const lr = learningRateAt(hyper, step, totalSteps);
    adamwStep(net.params, m, v, step + 1, { learningRate: lr, weightDecay: hyper.weightDecay, beta1, beta2, eps: hyper.eps });
    p.afterUpdate?.();
    step += 1;
    const loss = nll / batchTokens;
    lossPerStep.push(loss);
    tokens += batchTokens;
    inputTokens += batchInput;
    runInputTokens += batchInput;
    const seconds = (performance.now() - started) / 1000;
    const tps = seconds > 0 ? runInputTokens / seconds : 0;
    const perStep = seconds / (step - firstStep);
    p.onProgress?.({ step, totalSteps, loss, tokensPerSecond: tps, etaSeconds: perStep * (totalSteps - step) });
    if (p.onCheckpoint && p.checkpointEvery && step % p.checkpointEvery === 0 && step < totalSteps) {
      p.onCheckpoint(snapshot(net, kind, fingerprint, step, m, v, lossPerStep, tokens, inputTokens, true));
    }
    yield step;
  }
  const wallMs = performance.now() - started;
  return {
    metrics: {
      steps: step,
      tokens,
      inputTokens,
      lossPerStep,
      finalLoss: lossPerStep.length ? lossPerStep[lossPerStep.length - 1] : NaN,
      tokensPerSecond: wallMs > 0 ? runInputTokens / (wallMs / 1000) : 0,
      wallMs,
    },
    state: snapshot(net, kind, fingerprint, step, m, v, lossPerStep, tokens, inputTokens, false),
  };
}
