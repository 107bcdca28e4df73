import { keccak256, toBytes, type Hex } from "viem";
import type { AttributeContributionsReturnType } from "../eval/attribution/attributeContributions.js";
import type { HoldoutScorer } from "./createHoldoutScorer.js";
import { servedExampleHashes } from "./servedExampleHashes.js";

/** The adapter root recorded when no contribution had a positive value (nothing is trained or served). */
export const NO_ADAPTER_ROOT: Hex = keccak256(toBytes("no adapter: nothing to train on"));

export type TrainServedAdapterParameters = {
  attribution: Pick<AttributeContributionsReturnType, "scoreVector" | "deduped" | "servedAdapter">;
  /** The first training seed: the served adapter is trained once, on it (an in-run pass's served adapter keeps the pass's seed). */
  seed: string | number;
  scorer: Pick<HoldoutScorer, "score">;
  /** Train (or fetch an already trained) adapter on these examples; its root and a local GGUF file. */
  train: (exampleHashes: readonly string[], seed: string | number) => Promise<{ root: Hex; file: string }>;
};

export type TrainServedAdapterReturnType = { adapterRoot: Hex; perplexityBefore: number; perplexityAfter: number };

/**
 * The Ingot's adapter and what it does on the holdout: trained on the examples of every
 * contribution of positive value (`servedExampleHashes`), with the first training seed, and
 * scored against the base; after an in-run attribution that serves its pass's run
 * (`attribution.servedAdapter`), that run's job: every de-duplicated contribution on the pass's
 * seed, bit-identical to the pass (its adapterHash is the one the in-run pool verified); the
 * callers' `train` then writes the pass's own adapter (servedAdapter.adapter, from its last
 * checkpoint) without training, or, without one, finds the calibration's full coalition. When nothing is kept there is no adapter (`NO_ADAPTER_ROOT`) and the
 * perplexity is the base's. With an exact estimator this coalition was already trained, so
 * `train` finds it and nothing is trained twice. The eval run and its replay both call this, so
 * the replay measures exactly what the run measured.
 */
export async function trainServedAdapter(p: TrainServedAdapterParameters): Promise<TrainServedAdapterReturnType> {
  const kept = servedExampleHashes(p.attribution);
  const base = await p.scorer.score();
  const perplexityBefore = Math.exp(base.nll / base.tokens);
  if (kept.length === 0) return { adapterRoot: NO_ADAPTER_ROOT, perplexityBefore, perplexityAfter: perplexityBefore };
  const adapter = await p.train(kept, p.attribution.servedAdapter?.seed ?? p.seed);
  const trained = await p.scorer.score(adapter.file);
  return { adapterRoot: adapter.root, perplexityBefore, perplexityAfter: Math.exp(trained.nll / trained.tokens) };
}
