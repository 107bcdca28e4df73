import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ControlledEvaluateInputItem,
  type Llama,
  type LlamaContext,
  type LlamaContextOptions,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { getOfflineLlama } from "./getOfflineLlama.js";
import { readGguf } from "../gguf/readGguf.js";
import { readGgufHeaderFromFile } from "../gguf/readGgufHeaderFromFile.js";
import { validateLoraGguf } from "../gguf/validateLoraGguf.js";
import { validateQwen2Gguf } from "../gguf/validateQwen2Gguf.js";
import { metadataInteger } from "../gguf/metadataValue.js";
import type { GgufFile } from "../gguf/types.js";
import { ScoringAbortedError, ScoringError, ScoringInputError, ScoringSequenceTooLongError } from "./errors.js";
import type { ScoredSequence, ScoringProgress, SequenceScore } from "./types.js";
import { defaultThreads } from "../../util/resolveThreads.js";

export type ScoringMode = "exact" | "fast";

export interface CreateScoringEngineParameters {
  /** A qwen2 GGUF; validated before llama.cpp opens it. */
  modelPath: string;
  /**
   * "exact" (attested evals): F32 KV cache and flash attention off — per-token log-probs match a
   * float64 forward pass to ~1e-6 on F32 weights and replay bit-identically on the same build.
   * "fast": llama.cpp defaults (F16 KV cache, flash attention "auto"). Measured on random F32
   * tiny models (test/ts/eval/scoring.test.ts): mean |Δ log p| vs exact ≈ 1e-4, max ≈ 1e-3.
   */
  mode: ScoringMode;
  /** CPU threads for evaluation (default defaultThreads(): all cores but one, at most 4; see resolveThreads). */
  threads?: number;
  /** Tokens per context; defaults to the model's context_length capped at 4096. A sequence may use contextSize − 1. */
  contextSize?: number;
  /** Compute backend: CPU by default; "cuda" / "auto" for the GPU benchmark. */
  gpu?: false | "cuda" | "vulkan" | "auto";
  /** Receives llama.cpp's warnings and errors (default: dropped). */
  logger?: (level: "debug" | "warn" | "error", message: string) => void;
  /**
   * A llama.cpp binding to share between engines (loading one takes about a second); the
   * engine then leaves it alive on dispose. `gpu` and `logger` apply only to
   * the process's shared binding (getOfflineLlama), taken when this is absent.
   */
  llama?: Llama;
  /**
   * node-llama-cpp keeps every adapter it loaded until the model is disposed. After this many
   * distinct adapters the engine reloads the model (between calls) to free them, so a long
   * attribution run over thousands of subsets has bounded memory. Default 64.
   */
  maxCachedAdapters?: number;
}

export interface ScoreSequencesOptions {
  /** LoRA adapter GGUF applied on top of the base for this call. */
  adapterPath?: string;
  onProgress?: (progress: ScoringProgress) => void;
  /** Stops between sequences; the `ScoringAbortedError` carries the finished scores. */
  signal?: AbortSignal;
}

export interface ScoringEngine {
  readonly mode: ScoringMode;
  readonly modelPath: string;
  /** Longest sequence accepted (context size − 1). */
  readonly maxSequenceLength: number;
  readonly vocabSize: number;
  /** How many times the model has been loaded (1 + reloads that freed cached adapters). */
  readonly modelLoads: number;
  /** Teacher-forced per-token log-probs of each sequence's own tokens. */
  scoreSequences(sequences: readonly ScoredSequence[], options?: ScoreSequencesOptions): Promise<SequenceScore[]>;
  /**
   * Benchmark baseline: the same evaluation as `scoreSequences` (same contexts, batches and
   * logits for every scored position) but nothing is read back from llama.cpp.
   */
  evaluateWithoutReadback(sequences: readonly ScoredSequence[], options?: Pick<ScoreSequencesOptions, "adapterPath">): Promise<BaselineEvaluation>;
  /** Benchmark reference: node-llama-cpp's plain prompt evaluation (`sequence.evaluate`, logits of the last position only, one greedy token picked). */
  evaluatePrompts(sequences: readonly ScoredSequence[], options?: Pick<ScoreSequencesOptions, "adapterPath">): Promise<BaselineEvaluation>;
  dispose(): Promise<void>;
}

export interface BaselineEvaluation {
  /** Tokens of the sequences (as `ScoringProgress.tokensDone` counts them). */
  tokens: number;
  /** Positions whose logits llama.cpp computed (its token meter's output count). */
  logitPositions: number;
}

/**
 * A llama.cpp scorer over one loaded model (reused across calls; each call gets a fresh context,
 * with the adapter if given, disposed afterwards). Sequences longer than the context are
 * rejected before anything is scored (`ScoringSequenceTooLongError`): windowing would score
 * tokens under a truncated history, and attested numbers must mean one thing.
 */
export async function createScoringEngine(params: CreateScoringEngineParameters): Promise<ScoringEngine> {
  const { modelPath, mode, threads, gpu = false, logger, maxCachedAdapters = 64 } = params;
  if (mode !== "exact" && mode !== "fast") throw new ScoringInputError(`mode must be "exact" or "fast", not ${String(mode)}`);
  const header = await readGgufHeaderFromFile(modelPath);
  const { vocabSize } = validateQwen2Gguf(header);
  const trainContext = metadataInteger(header.metadata, "qwen2.context_length")!;
  // A real Qwen2.5 declares 32k; allocating that per call would cost gigabytes for nothing.
  const contextSize = params.contextSize ?? Math.min(trainContext, 4096);
  if (!Number.isInteger(contextSize) || contextSize < 2) throw new ScoringInputError(`contextSize ${contextSize} must be an integer ≥ 2`);

  const lease = params.llama === undefined ? await getOfflineLlama({ gpu, ...(logger ? { logger } : {}) }) : undefined;
  const llama: Llama = params.llama ?? lease!.llama;
  const loadModel = () => llama.loadModel({ modelPath, gpuLayers: gpu === false ? 0 : "max" });
  let model: LlamaModel;
  try {
    model = await loadModel();
  } catch (cause) {
    await lease?.release();
    throw new ScoringError(`llama.cpp could not load ${modelPath}`, { cause });
  }
  let modelLoads = 1;
  const adapterDir = await mkdtemp(join(tmpdir(), "ingotforge-lora-"));
  const adapterCopies = new Map<string, string>();
  let disposed = false;
  // Calls run one at a time: a model reload must never pull the model from under a live context.
  let exclusive: Promise<unknown> = Promise.resolve();

  // node-llama-cpp caches loaded adapters by path for the model's lifetime, so a rewritten file
  // at the same path would silently score the old weights: load a content-addressed copy instead.
  const resolveAdapter = async (adapterPath: string): Promise<string> => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(adapterPath);
    } catch (cause) {
      throw new ScoringInputError(`cannot read adapter ${adapterPath}`, { cause });
    }
    const hash = createHash("sha256").update(bytes).digest("hex");
    const known = adapterCopies.get(hash);
    if (known) return known;
    validateLoraGguf(readGguf(bytes), header as Required<GgufFile>);
    if (adapterCopies.size >= maxCachedAdapters) {
      await model.dispose();
      model = await loadModel();
      modelLoads++;
      for (const copy of adapterCopies.values()) await rm(copy, { force: true });
      adapterCopies.clear();
    }
    const copy = join(adapterDir, `${hash}.gguf`);
    await copyFile(adapterPath, copy);
    adapterCopies.set(hash, copy);
    return copy;
  };

  const withContext = <T>(adapterPath: string | undefined, run: (seq: LlamaContextSequence, ctx: LlamaContext) => Promise<T>): Promise<T> => {
    const result = exclusive.then(() => runInContext(adapterPath, run));
    exclusive = result.catch(() => undefined);
    return result;
  };
  const runInContext = async <T>(adapterPath: string | undefined, run: (seq: LlamaContextSequence, ctx: LlamaContext) => Promise<T>): Promise<T> => {
    if (disposed) throw new ScoringError("the scoring engine was disposed; create a new one");
    const options: LlamaContextOptions = {
      contextSize,
      // Fixed batch size, so a sequence is always split into the same batches: llama.cpp picks
      // kernels by batch shape, and attested scores must not depend on anything but the input.
      batchSize: Math.min(contextSize, 512),
      sequences: 1,
      threads: threads ?? defaultThreads(),
      ...(mode === "exact" ? { flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" } : {}),
      ...(adapterPath !== undefined ? { lora: { adapters: [{ filePath: await resolveAdapter(adapterPath) }] } } : {}),
    };
    const ctx = await model.createContext(options);
    try {
      return await run(ctx.getSequence(), ctx);
    } finally {
      await ctx.dispose();
    }
  };

  const maxSequenceLength = contextSize - 1;
  const check = (sequences: readonly ScoredSequence[]) => {
    const ids = new Set<string>();
    for (const s of sequences) {
      if (ids.has(s.id)) throw new ScoringInputError(`sequence id ${s.id} appears twice`);
      ids.add(s.id);
      if (!Number.isInteger(s.scoreFrom) || s.scoreFrom < 1 || s.scoreFrom > s.tokens.length) {
        throw new ScoringInputError(`sequence ${s.id}: scoreFrom ${s.scoreFrom} must be in [1, ${s.tokens.length}] (position 0 has no history)`);
      }
      const bad = s.tokens.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= vocabSize);
      if (bad >= 0) throw new ScoringInputError(`sequence ${s.id}: token ${s.tokens[bad]} at ${bad} is outside the vocabulary of ${vocabSize}`);
      if (s.tokens.length > maxSequenceLength) throw new ScoringSequenceTooLongError(s.id, s.tokens.length, maxSequenceLength);
    }
  };

  // log p(next) = logit(next) − max − ln Σ exp(logit − max). The max comes from the greedy
  // pick (temperature 0 selects the arg-max) with `includeSelected`: `includeTop: 1` sorts the
  // whole vocabulary (3× slower at 150k tokens) and `includeMax` is ignored by node-llama-cpp 3.22.1.
  const request = (next: number): Extract<ControlledEvaluateInputItem, unknown[]>[1] => ({
    generateNext: { token: true, logits: { filter: { tokens: [next as Token], includeSelected: true } }, totalLogitWeight: true },
  });

  return {
    mode,
    modelPath,
    maxSequenceLength,
    vocabSize,
    get modelLoads() {
      return modelLoads;
    },

    async scoreSequences(sequences, options = {}) {
      const { adapterPath, onProgress, signal } = options;
      check(sequences);
      const tokensTotal = sequences.reduce((a, s) => a + s.tokens.length, 0);
      const results: SequenceScore[] = [];
      const started = performance.now();
      let tokensDone = 0;
      if (signal?.aborted) throw new ScoringAbortedError(results, { cause: signal.reason });
      return withContext(adapterPath, async (seq) => {
        for (const s of sequences) {
          if (signal?.aborted) throw new ScoringAbortedError(results, { cause: signal.reason });
          await seq.clearHistory();
          const n = s.tokens.length;
          // Item i asks for the distribution of token i+1; only scored positions read anything back.
          const input: ControlledEvaluateInputItem[] = s.tokens
            .slice(0, n - 1)
            .map((t, i): ControlledEvaluateInputItem => (i + 1 >= s.scoreFrom ? [t as Token, request(s.tokens[i + 1])] : (t as Token)));
          const out = n > 1 ? await seq.controlledEvaluate(input) : [];
          const tokenLogProbs: number[] = [];
          let nll = 0;
          for (let i = s.scoreFrom - 1; i < n - 1; i++) {
            const next = out[i]?.next;
            const logit = next?.logits?.get(s.tokens[i + 1] as Token);
            const weight = next?.totalLogitWeight;
            if (logit === undefined || weight === undefined || next?.logits === undefined) {
              throw new ScoringError(`llama.cpp returned no logits for sequence ${s.id} position ${i}`);
            }
            let max = -Infinity;
            for (const v of next.logits.values()) if (v > max) max = v;
            const lp = logit - max - Math.log(weight);
            tokenLogProbs.push(lp);
            nll -= lp;
          }
          results.push({ id: s.id, nll, tokens: tokenLogProbs.length, tokenLogProbs });
          tokensDone += n;
          if (onProgress) {
            const elapsedMs = performance.now() - started;
            const rate = tokensDone / Math.max(elapsedMs, 1e-3);
            onProgress({
              sequencesDone: results.length,
              sequencesTotal: sequences.length,
              tokensDone,
              tokensTotal,
              elapsedMs,
              tokensPerSecond: rate * 1000,
              etaMs: (tokensTotal - tokensDone) / rate,
            });
          }
        }
        return results;
      });
    },

    async evaluateWithoutReadback(sequences, options = {}) {
      check(sequences);
      return withContext(options.adapterPath, async (seq) => {
        // node-llama-cpp's public API reads something back for every position that has logits;
        // its internal decode call lets us request the same logits and map each to nothing.
        const decode = (seq as unknown as { _decodeTokens?: DecodeTokens })._decodeTokens;
        if (typeof decode !== "function") throw new ScoringError("this node-llama-cpp version has no _decodeTokens; the engine-only baseline needs 3.22.x");
        let tokens = 0;
        const outputsBefore = seq.tokenMeter.usedOutputTokens;
        for (const s of sequences) {
          await seq.clearHistory();
          const input = s.tokens.slice(0, s.tokens.length - 1);
          const logits = input.map((_, i) => (i + 1 >= s.scoreFrom ? true : undefined));
          // Arguments as controlledEvaluate passes them (priority 5, the sequence's token meter).
          if (input.length > 0) await decode.call(seq, input, logits, 5, seq.tokenMeter, { size: 0, strategy: "eraseBeginning" }, () => undefined);
          tokens += s.tokens.length;
        }
        return { tokens, logitPositions: seq.tokenMeter.usedOutputTokens - outputsBefore };
      });
    },

    async evaluatePrompts(sequences, options = {}) {
      check(sequences);
      return withContext(options.adapterPath, async (seq) => {
        let tokens = 0;
        const outputsBefore = seq.tokenMeter.usedOutputTokens;
        for (const s of sequences) {
          await seq.clearHistory();
          // `evaluateWithoutGeneratingNewTokens` computes no logits at all; a prompt evaluation
          // computes the last position's and picks one token (greedy), then we stop.
          for await (const generated of seq.evaluate(s.tokens.slice(0, s.tokens.length - 1) as Token[])) {
            void generated;
            break;
          }
          tokens += s.tokens.length;
        }
        return { tokens, logitPositions: seq.tokenMeter.usedOutputTokens - outputsBefore };
      });
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      await exclusive;
      await model.dispose();
      await lease?.release();
      await rm(adapterDir, { recursive: true, force: true });
    },
  };
}

type DecodeTokens = (
  tokens: number[],
  logits: (true | undefined)[],
  evaluationPriority: number,
  tokenMeter: unknown,
  contextShiftOptions: unknown,
  logitDataMapper: (batchLogitIndex: number, tokenIndex: number) => unknown,
) => Promise<unknown>;
