import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getOfflineLlama } from "../../../coordinator/src/eval/engine/getOfflineLlama.js";
import { LlamaGrammarEvaluationState, LlamaJsonSchemaGrammar, type Llama, type LlamaContext, type LlamaGrammar, type LlamaModel, type Token } from "node-llama-cpp";
import type { Hex } from "viem";
import { DEFAULT_SYSTEM_PROMPT } from "../../../coordinator/src/eval/dataset/chatTemplate.js";
import { readGgufHeaderFromFile } from "../../../coordinator/src/eval/gguf/readGgufHeaderFromFile.js";
import { validateQwen2Gguf } from "../../../coordinator/src/eval/gguf/validateQwen2Gguf.js";
import { metadataInteger } from "../../../coordinator/src/eval/gguf/metadataValue.js";
import { qwen2HeaderFromGguf } from "../../../coordinator/src/eval/model/qwen2HeaderFromGguf.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";
import { InvalidRequestError, PromptTooLongError } from "../errors.js";
import { createConcurrencyLimiter } from "./createConcurrencyLimiter.js";
import { createIncrementalDetokenizer } from "./createIncrementalDetokenizer.js";
import { checkJsonSchemaSubset } from "./checkJsonSchemaSubset.js";
import { createStopMatcher } from "./createStopMatcher.js";
import { GenerationAbortedError, ServingError } from "./errors.js";
import { fetchAdapter } from "./fetchAdapter.js";
import { renderChatTokens } from "./renderChatTokens.js";
import type { FinishReason, GenerateResult, OutputFormat, PreparedPrompt, ServingEngine } from "./types.js";
import { defaultThreads } from "../../../coordinator/src/util/resolveThreads.js";

export interface CreateServingEngineParameters {
  /** The base model GGUF (qwen2), validated before llama.cpp opens it. */
  modelPath: string;
  /** Where Ingot adapters are fetched from, by 0G root. */
  store: ContentStore;
  /** A llama.cpp binding to share (the engine leaves it alive on dispose); created here (CPU unless `gpu`) when absent. */
  llama?: Llama;
  /** Compute backend when the binding is created here. Default CPU. */
  gpu?: false | "cuda" | "vulkan" | "auto";
  /** Generations running at once (each a sequence of its adapter's context). Default 4. */
  maxConcurrent?: number;
  /** Generations waiting for a slot; one more is refused with ServerBusyError. Default 16. */
  maxQueue?: number;
  /** Tokens per sequence (prompt + completion); default the model's context_length capped at 4096. */
  contextSize?: number;
  /** CPU threads per context (default defaultThreads(): all cores but one, at most 4; see coordinator/src/util/resolveThreads.ts). */
  threads?: number;
  /** Cap on max_tokens per call; default the context size. */
  maxCompletionTokens?: number;
  /** Verified adapters are written here (default a temp dir removed on dispose). */
  adapterCacheDir?: string;
  /** Idle adapter contexts kept alive; the least recently used idle one is freed past this. Default 8. */
  maxContexts?: number;
  /** System turn added to chats that have none. Default: the demo Forge's system prompt (what its adapters were trained with). */
  defaultSystemPrompt?: string;
  /** llama.cpp's warnings and errors (default dropped). */
  logger?: (level: "debug" | "warn" | "error", message: string) => void;
}

interface AdapterContext {
  ready: Promise<LlamaContext>;
  active: number;
  lastUsed: number;
}

/**
 * The gateway's inference: the base GGUF loaded once; per Ingot adapter (by 0G root) one verified
 * file and one llama.cpp context with `maxConcurrent` sequences, reused by every call to that
 * adapter, so concurrent calls to one Ingot are batched together; a FIFO queue of `maxQueue` in
 * front. Prompts are tokenized by llama.cpp with the chat template's special tokens inserted by id;
 * generation stops at `<|im_end|>` / `<|endoftext|>`, a stop string, max tokens, or an abort.
 */
export async function createServingEngine(params: CreateServingEngineParameters): Promise<ServingEngine> {
  const { modelPath, store, threads, logger, maxConcurrent = 4, maxQueue = 16, maxContexts = 8, gpu = false } = params;
  const header = await readGgufHeaderFromFile(modelPath);
  validateQwen2Gguf(header);
  const { tokenizer } = qwen2HeaderFromGguf(header);
  const trainContext = metadataInteger(header.metadata, "qwen2.context_length")!;
  const contextSize = params.contextSize ?? Math.min(trainContext, 4096);
  if (!Number.isInteger(contextSize) || contextSize < 2) throw new RangeError(`contextSize ${contextSize} must be an integer ≥ 2`);
  const maxCompletionTokens = params.maxCompletionTokens ?? contextSize;
  if (!Number.isInteger(maxCompletionTokens) || maxCompletionTokens < 1) throw new RangeError(`maxCompletionTokens ${maxCompletionTokens} must be an integer ≥ 1`);
  const limiter = createConcurrencyLimiter({ maxConcurrent, maxQueue });
  const defaultSystemPrompt = params.defaultSystemPrompt ?? DEFAULT_SYSTEM_PROMPT;

  const lease = params.llama === undefined ? await getOfflineLlama({ gpu, ...(logger ? { logger } : {}) }) : undefined;
  const llama = params.llama ?? lease!.llama;
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath, gpuLayers: llama.gpu === false ? 0 : "max" });
  } catch (cause) {
    await lease?.release();
    throw new ServingError(`llama.cpp could not load the base model ${modelPath}`, { cause });
  }
  // JSON mode's grammar (llama.cpp's json.gbnf), loaded once.
  let jsonGrammar: LlamaGrammar;
  try {
    jsonGrammar = await llama.getGrammarFor("json");
  } catch (cause) {
    await model.dispose();
    await lease?.release();
    throw new ServingError("llama.cpp could not load its JSON grammar", { cause });
  }
  const grammarFor = (format: OutputFormat): LlamaGrammar => {
    if (format.kind === "json") return jsonGrammar;
    // Refused here, in prepare, before any credit is held: the converter itself never refuses (see checkJsonSchemaSubset).
    checkJsonSchemaSubset(format.schema);
    try {
      // Checked above at run time; the constructor's type wants a schema literal it can infer from.
      return new LlamaJsonSchemaGrammar(llama, format.schema as never);
    } catch (error) {
      throw new InvalidRequestError(`this JSON schema cannot be enforced here: ${(error as Error).message}`, "response_format.json_schema.schema");
    }
  };
  const ownsCacheDir = params.adapterCacheDir === undefined;
  const cacheDir = params.adapterCacheDir ?? (await mkdtemp(join(tmpdir(), "ingotforge-gateway-adapters-")));
  const eog = new Set<number>([tokenizer.special.imEnd, tokenizer.special.endOfText]);
  const tokenize = (text: string): number[] => (text.length === 0 ? [] : (model.tokenize(text, false) as number[]));
  const detokenize = (tokens: number[]): string => model.detokenize(tokens as Token[], false);

  const adapterFiles = new Map<string, Promise<string>>();
  const contexts = new Map<string, AdapterContext>();
  let contextsCreated = 0;
  let disposed = false;
  const inFlight = new Set<Promise<unknown>>();

  const adapterFile = (root: string): Promise<string> => {
    let file = adapterFiles.get(root);
    if (!file) {
      file = fetchAdapter({ store, adapterRoot: root as Hex, cacheDir, base: header });
      adapterFiles.set(root, file);
      // A failed fetch is not remembered: the next call tries again.
      file.catch(() => adapterFiles.delete(root));
    }
    return file;
  };

  const evictIdle = async () => {
    if (contexts.size <= maxContexts) return;
    const idle = [...contexts.entries()].filter(([, c]) => c.active === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [root, c] of idle) {
      if (contexts.size <= maxContexts) break;
      contexts.delete(root);
      await c.ready.then((ctx) => ctx.dispose()).catch(() => undefined);
    }
  };

  const contextFor = (root: string): AdapterContext => {
    let entry = contexts.get(root);
    if (!entry) {
      const ready = adapterFile(root).then(async (filePath) => {
        try {
          return await model.createContext({
            contextSize,
            sequences: maxConcurrent,
            batchSize: Math.min(contextSize, 512),
            threads: threads ?? defaultThreads(),
            lora: { adapters: [{ filePath }] },
          });
        } catch (cause) {
          throw new ServingError(`llama.cpp could not create a context for adapter ${root}`, { cause });
        }
      });
      entry = { ready, active: 0, lastUsed: Date.now() };
      contexts.set(root, entry);
      ready.then(
        () => contextsCreated++,
        () => contexts.get(root) === entry && contexts.delete(root),
      );
    }
    return entry;
  };

  const run = async (p: Parameters<ServingEngine["generate"]>[0]): Promise<GenerateResult> => {
    const { prompt, sampling = {}, stop = [], signal, onStart, onToken } = p;
    const root = String(p.adapterRoot).toLowerCase();
    if (stop.length > 4) throw new InvalidRequestError("stop holds at most 4 strings", "stop");
    const release = await limiter.acquire(signal);
    const entry = contextFor(root);
    entry.active++;
    try {
      const ctx = await entry.ready;
      if (signal?.aborted) throw new GenerationAbortedError(0, { cause: signal.reason });
      onStart?.();
      const sequence = ctx.getSequence();
      let completionTokens = 0;
      let text = "";
      let finishReason: FinishReason = "length";
      const detok = createIncrementalDetokenizer(detokenize);
      const grammar = prompt.grammar as LlamaGrammar | undefined;
      // A JSON schema grammar ends its output with a trigger ("\n\n\n\n") that stops generation, left out of the text like a stop string.
      const stops = createStopMatcher(grammar ? [...stop, ...grammarStopStrings(grammar)] : stop);
      const emit = (piece: string) => {
        if (piece.length === 0) return;
        text += piece;
        onToken?.(piece, completionTokens);
      };
      try {
        const temperature = sampling.temperature ?? 0;
        const tokens = sequence.evaluate(prompt.tokens as Token[], {
          temperature,
          ...(grammar ? { grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar }) } : {}),
          ...(temperature > 0 && sampling.topP !== undefined ? { topP: sampling.topP } : {}),
          ...(temperature > 0 ? { seed: sampling.seed ?? 0 } : {}),
        });
        let stopped = false;
        let cut = false;
        for await (const token of tokens) {
          if (signal?.aborted) throw new GenerationAbortedError(completionTokens, { cause: signal.reason });
          if (eog.has(token)) {
            finishReason = "stop";
            break;
          }
          completionTokens++;
          const out = stops.push(detok.push(token));
          emit(out.text);
          if (out.stopped) {
            finishReason = "stop";
            stopped = true;
            break;
          }
          if (completionTokens >= prompt.maxTokens) {
            cut = true;
            break;
          }
        }
        // The tokens ran out before max_tokens without an end-of-turn token: a grammar (JSON mode) was complete.
        if (!cut && !stopped) finishReason = "stop";
        if (signal?.aborted) throw new GenerationAbortedError(completionTokens, { cause: signal.reason });
        if (!stopped) {
          const tail = stops.push(detok.flush());
          emit(tail.text);
          if (tail.stopped) finishReason = "stop";
          else emit(stops.flush());
        }
      } finally {
        await sequence.dispose();
      }
      return { text, promptTokens: prompt.promptTokens, completionTokens, finishReason };
    } finally {
      entry.active--;
      entry.lastUsed = Date.now();
      release();
      await evictIdle();
    }
  };

  return {
    contextSize,
    maxCompletionTokens,

    prepare(prompt, options = {}): PreparedPrompt {
      let tokens: number[];
      if (prompt.kind === "chat") {
        tokens = renderChatTokens({ messages: prompt.messages, tokenize, special: tokenizer.special, defaultSystemPrompt });
      } else {
        tokens = tokenize(prompt.text);
        if (tokens.length === 0) throw new InvalidRequestError("prompt must not be empty", "prompt");
      }
      const promptTokens = tokens.length;
      const grammar = options.format ? { grammar: grammarFor(options.format) } : {};
      const asked = options.maxTokens;
      if (asked !== undefined) {
        if (!Number.isInteger(asked) || asked < 1) throw new InvalidRequestError(`max_tokens must be an integer ≥ 1, not ${asked}`, "max_tokens");
        if (asked > maxCompletionTokens) {
          throw new InvalidRequestError(`max_tokens is too large: ${asked}. This model supports at most ${maxCompletionTokens} completion tokens.`, "max_tokens");
        }
        if (promptTokens + asked > contextSize) throw new PromptTooLongError(promptTokens, asked, contextSize);
        return { tokens, promptTokens, maxTokens: asked, ...grammar };
      }
      const maxTokens = Math.min(maxCompletionTokens, contextSize - promptTokens);
      if (maxTokens < 1) throw new PromptTooLongError(promptTokens, 1, contextSize);
      return { tokens, promptTokens, maxTokens, ...grammar };
    },

    generate(p) {
      if (disposed) return Promise.reject(new ServingError("the serving engine was disposed"));
      const call = run(p);
      inFlight.add(call);
      void call.catch(() => undefined).finally(() => inFlight.delete(call));
      return call;
    },

    stats() {
      return { running: limiter.running, queued: limiter.queued, adapters: adapterFiles.size, contexts: contexts.size, contextsCreated };
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      limiter.rejectQueued(new ServingError("the serving engine is shutting down"));
      await Promise.allSettled([...inFlight]);
      for (const c of contexts.values()) await c.ready.then((ctx) => ctx.dispose()).catch(() => undefined);
      contexts.clear();
      await model.dispose();
      await lease?.release();
      if (ownsCacheDir) await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

/** A grammar's stop-generation triggers that are plain text (node-llama-cpp writes them as strings or LlamaText). */
function grammarStopStrings(grammar: LlamaGrammar): string[] {
  const out: string[] = [];
  for (const trigger of grammar.stopGenerationTriggers) {
    const parts = typeof trigger === "string" ? [trigger] : Array.isArray(trigger) ? trigger : ((trigger as { values?: readonly unknown[] }).values ?? []);
    if (parts.length > 0 && parts.every((p) => typeof p === "string")) out.push(parts.join(""));
  }
  return out.filter((t) => t.length > 0);
}
