/**
 * The serving engine's contract: one base GGUF loaded once, each Ingot's LoRA adapter fetched by
 * its content root and loaded once, a llama.cpp context per adapter reused across calls, and a
 * bounded queue in front of generation.
 */
import type { Hex } from "viem";

/** One chat turn, as the OpenAI API carries it (text content only). */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What to generate from: chat turns (the Qwen2.5 chat template) or raw text (no template). */
export type ServingPrompt = { kind: "chat"; messages: readonly ChatMessage[] } | { kind: "text"; text: string };

/**
 * What the completion must be (OpenAI's `response_format`), enforced by a llama.cpp grammar:
 * `json` any JSON object; `json_schema` JSON matching the schema (node-llama-cpp's subset of JSON
 * Schema; `prepare` refuses what it cannot compile).
 */
export type OutputFormat = { kind: "json" } | { kind: "json_schema"; schema: Record<string, unknown> };

/** A prompt tokenized and checked against the limits; `prepare` makes one, `generate` consumes it. */
export interface PreparedPrompt {
  readonly tokens: readonly number[];
  readonly promptTokens: number;
  /** Most completion tokens this call may generate: the request's max_tokens, or what the context and the cap leave. */
  readonly maxTokens: number;
  /** The engine's compiled grammar for the output format, when one was asked for (opaque outside the engine). */
  readonly grammar?: unknown;
}

export interface PrepareOptions {
  /** The request's max_tokens; at most `maxCompletionTokens`, and prompt + max_tokens must fit the context. */
  maxTokens?: number;
  /** Constrain the completion (JSON mode). */
  format?: OutputFormat;
}

/** Sampling; temperature 0 (the default) is greedy and deterministic. */
export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  /** Seed of the sampler when temperature > 0. */
  seed?: number;
}

export interface GenerateParameters {
  /** 0G root of the Ingot's LoRA adapter GGUF. */
  adapterRoot: Hex;
  prompt: PreparedPrompt;
  sampling?: SamplingOptions;
  /** Up to 4 strings; generation stops before the first one and leaves it out of the text. */
  stop?: readonly string[];
  /** Aborting stops generation within one token (client disconnect); the call rejects with `GenerationAbortedError`. */
  signal?: AbortSignal;
  /** Called once the call leaves the queue and its adapter is ready, before the first token. */
  onStart?: () => void;
  /**
   * Streaming: each piece of text as it is decoded (never splits a UTF-8 character, never shows
   * part of a stop string), with the completion tokens generated so far: the text given up to
   * now is the text of those tokens (a token whose text is held back is counted with the piece
   * that finally carries it).
   */
  onToken?: (text: string, completionTokens: number) => void;
}

export type FinishReason = "stop" | "length";

export interface GenerateResult {
  text: string;
  promptTokens: number;
  /** Tokens generated and delivered (the end-of-turn token is not counted). */
  completionTokens: number;
  /** "stop": end of turn or a stop string; "length": max tokens reached. */
  finishReason: FinishReason;
}

export interface ServingStats {
  running: number;
  queued: number;
  /** Adapters verified and written to the cache directory. */
  adapters: number;
  /** llama.cpp contexts alive (one per adapter in use recently). */
  contexts: number;
  /** Contexts created so far (a reused context is not counted again). */
  contextsCreated: number;
}

export interface ServingEngine {
  /** Tokens per sequence: prompt + completion must fit. */
  readonly contextSize: number;
  /** Cap on max_tokens per call. */
  readonly maxCompletionTokens: number;
  /**
   * Tokenize and check limits.
   * @throws PromptTooLongError when prompt + max_tokens exceed the context; InvalidRequestError for an empty prompt, a bad max_tokens,
   *   or a JSON schema the grammar compiler cannot take (param `response_format.json_schema.schema`).
   */
  prepare(prompt: ServingPrompt, options?: PrepareOptions): PreparedPrompt;
  /**
   * Queue, then generate.
   * @throws ServerBusyError when the queue is full; AdapterIntegrityError when the adapter cannot be fetched or verified;
   *   GenerationAbortedError when `signal` aborted (queued or mid-generation).
   */
  generate(params: GenerateParameters): Promise<GenerateResult>;
  stats(): ServingStats;
  /** Waits for running calls, rejects queued ones, frees contexts and the model. */
  dispose(): Promise<void>;
}
