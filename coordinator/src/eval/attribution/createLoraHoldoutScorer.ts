import { access, mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loraAdapterToGguf } from "../model/loraAdapterToGguf.js";
import type { Qwen2Model } from "../model/types.js";
import { trainLoraAsync } from "../train/trainLoraAsync.js";
import type { LoraHyperParameters, ScoredSequence, TrainProgress } from "../train/types.js";
import { AttributionError } from "./errors.js";
import type { HoldoutScore } from "./createHoldoutUtility.js";
import { hashInputs } from "./hashInputs.js";

/** The part of the llama.cpp scoring engine used here (`createScoringEngine` fits). */
export interface HoldoutEngine {
  scoreSequences(
    sequences: readonly ScoredSequence[],
    options?: { adapterPath?: string; signal?: AbortSignal },
  ): Promise<{ nll: number; tokens: number }[]>;
}

export interface CreateLoraHoldoutScorerParameters {
  /** The frozen base, as the trainer reads it (the same weights the engine loaded). */
  model: Qwen2Model;
  /** Identifies the base in cache keys (e.g. the GGUF's sha256 or 0G root). */
  baseModelId: string;
  /** A scoring engine loaded on the same base GGUF. */
  engine: HoldoutEngine;
  /** Tokenized holdout (response tokens scored). */
  holdout: readonly ScoredSequence[];
  /** Tokenized training examples by content hash (the hashes `dedupeContributions` sees). */
  examples: ReadonlyMap<string, ScoredSequence>;
  /** LoRA hyper-parameters; the seed comes per call. */
  hyper: Omit<LoraHyperParameters, "seed">;
  /** Trained adapters are kept here as `adapter-<hash of inputs>.gguf` and reused. */
  adapterDirectory: string;
  onTrainProgress?: (p: TrainProgress & { examples: number; seed: string | number }) => void;
  signal?: AbortSignal;
}

export interface CreateLoraHoldoutScorerReturnType {
  scoreBase: () => Promise<HoldoutScore>;
  scoreTrained: (exampleHashes: readonly string[], seed: string | number) => Promise<HoldoutScore>;
  /** Where the adapter for these examples and seed is (or will be) kept; it exists once scoreTrained ran for them. */
  adapterPath: (exampleHashes: readonly string[], seed: string | number) => string;
  /** Adapters trained / reused from `adapterDirectory` so far. */
  readonly stats: { trained: number; reused: number };
}

/**
 * The `scoreBase` / `scoreTrained` pair `attributeContributions` needs, on the real parts: train a
 * LoRA adapter on the examples with `trainLora` (deterministic, so an adapter is a function of its
 * inputs and is cached by their hash), write it as GGUF, and score the holdout on llama.cpp.
 */
export function createLoraHoldoutScorer(params: CreateLoraHoldoutScorerParameters): CreateLoraHoldoutScorerReturnType {
  const stats = { trained: 0, reused: 0 };
  const holdout = [...params.holdout];
  const sum = (scores: { nll: number; tokens: number }[]): HoldoutScore => ({
    nll: scores.reduce((a, s) => a + s.nll, 0),
    tokens: scores.reduce((a, s) => a + s.tokens, 0),
  });

  const adapterKey = (exampleHashes: readonly string[], seed: string | number): string =>
    hashInputs({ kind: "ingotforge-lora-adapter/1", base: params.baseModelId, hyper: { ...params.hyper, seed }, examples: exampleHashes });
  const adapterPath = (exampleHashes: readonly string[], seed: string | number): string =>
    join(params.adapterDirectory, `adapter-${adapterKey(exampleHashes, seed)}.gguf`);

  return {
    stats,
    adapterPath,
    scoreBase: async () => sum(await params.engine.scoreSequences(holdout, { ...(params.signal ? { signal: params.signal } : {}) })),
    async scoreTrained(exampleHashes, seed) {
      const missing = exampleHashes.filter((h) => !params.examples.has(h));
      if (missing.length > 0) {
        throw new AttributionError(`no tokenized example for hashes ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? "…" : ""}; tokenize every contribution's examples first`);
      }
      const hyper: LoraHyperParameters = { ...params.hyper, seed };
      const key = adapterKey(exampleHashes, seed);
      const path = adapterPath(exampleHashes, seed);
      if (await exists(path)) stats.reused++;
      else {
        params.signal?.throwIfAborted();
        const sequences = exampleHashes.map((h) => ({ ...params.examples.get(h)!, id: h }));
        // The async trainer yields between steps, so Ctrl-C stops a long training instead of waiting for it.
        const { adapter } = await trainLoraAsync({
          model: params.model,
          sequences,
          hyper,
          ...(params.signal ? { signal: params.signal } : {}),
          ...(params.onTrainProgress ? { onProgress: (p: TrainProgress) => params.onTrainProgress!({ ...p, examples: sequences.length, seed }) } : {}),
        });
        await mkdir(params.adapterDirectory, { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, loraAdapterToGguf(adapter, { baseModelName: params.model.name, name: `attribution-${key.slice(0, 16)}` }));
        await rename(tmp, path);
        stats.trained++;
      }
      return sum(await params.engine.scoreSequences(holdout, { adapterPath: path, ...(params.signal ? { signal: params.signal } : {}) }));
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
