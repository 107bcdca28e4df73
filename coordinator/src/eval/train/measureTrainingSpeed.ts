import { createRandomModel } from "../model/createRandomModel.js";
import type { Qwen2Config } from "../model/types.js";
import { createPrng } from "../../util/prng.js";
import { pretrain } from "./pretrain.js";
import { trainLora } from "./trainLora.js";
import type { ScoredSequence, TrainMetrics } from "./types.js";

export interface MeasureTrainingSpeedParameters {
  /** Default: hidden 128, 4 layers, 4 heads over 2 kv heads, FFN 384, vocab 2000, context 256. */
  config?: Qwen2Config;
  /** Tokens per sequence (default: the context length). */
  sequenceLength?: number;
  batchSize?: number;
  steps?: number;
  rank?: number;
  /** LoRA sequences are scored from this fraction on (the prompt is the part before). Default 0.5. */
  responseFrom?: number;
}

export interface SpeedFigure {
  /** Input tokens per wall-clock second. */
  tokensPerSecond: number;
  /** Input tokens per second of this process's CPU time (less sensitive to a busy machine). */
  tokensPerCpuSecond: number;
  inputTokens: number;
  wallMs: number;
}

export interface MeasureTrainingSpeedReturnType {
  config: Qwen2Config;
  sequenceLength: number;
  pretrain: SpeedFigure;
  lora: SpeedFigure;
}

export const DEFAULT_SPEED_CONFIG: Qwen2Config = {
  vocabSize: 2000,
  hiddenSize: 128,
  numLayers: 4,
  intermediateSize: 384,
  numHeads: 4,
  numKvHeads: 2,
  contextLength: 256,
  rmsNormEps: 1e-6,
  ropeTheta: 1_000_000,
  tiedEmbeddings: false,
};

function figure(run: () => TrainMetrics): SpeedFigure {
  const cpu0 = process.cpuUsage();
  const m = run();
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    tokensPerSecond: m.tokensPerSecond,
    tokensPerCpuSecond: m.inputTokens / cpuSeconds,
    inputTokens: m.inputTokens,
    wallMs: m.wallMs,
  };
}

/**
 * Trainer throughput on one thread (JavaScript runs the whole step on the calling thread):
 * full-parameter pretraining and LoRA fine-tuning (rank 8 on all seven projections) of a random
 * F32 model of the given shape, on random token sequences.
 */
export function measureTrainingSpeed(params: MeasureTrainingSpeedParameters = {}): MeasureTrainingSpeedReturnType {
  const config = params.config ?? DEFAULT_SPEED_CONFIG;
  const len = params.sequenceLength ?? config.contextLength;
  const batchSize = params.batchSize ?? 4;
  const steps = params.steps ?? 2;
  const tokenizer = {
    tokens: Array.from({ length: config.vocabSize }, (_, i) => `<t${i}>`),
    merges: [],
    special: { endOfText: 0, imStart: 1, imEnd: 2 },
    pre: "qwen2",
  };
  const model = createRandomModel({ seed: "measure-training-speed", config, tensorType: "F32", tokenizer, weightScale: 1 });
  const prng = createPrng("measure-training-speed/data");
  const sequences = (scoreFrom: number): ScoredSequence[] =>
    Array.from({ length: batchSize * steps }, (_, i) => ({
      id: `s${i}`,
      tokens: Array.from({ length: len }, () => prng.nextInt(config.vocabSize)),
      scoreFrom,
    }));
  const opt = { learningRate: 1e-3, weightDecay: 0.01, betas: [0.9, 0.95] as [number, number], eps: 1e-8, batchSize, steps };
  const pre = figure(() => pretrain({ model, sequences: sequences(1), hyper: opt, seed: 1 }).metrics);
  const lora = figure(
    () =>
      trainLora({
        model,
        sequences: sequences(Math.max(1, Math.floor(len * (params.responseFrom ?? 0.5)))),
        hyper: {
          ...opt,
          rank: params.rank ?? 8,
          alpha: 2 * (params.rank ?? 8),
          targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
          seed: 1,
        },
      }).metrics,
  );
  return { config, sequenceLength: len, pretrain: pre, lora };
}
