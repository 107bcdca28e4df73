import type { Hex } from "viem";
import type { ScoringMode } from "../eval/engine/createScoringEngine.js";
import type { LoraHyperParameters } from "../eval/train/types.js";

/**
 * Bumped whenever the eval's meaning changes; part of evalConfigHash and of every utility's inputs.
 * 2: near copies (normalized text, token 3-gram Jaccard ≥ 0.8) are dropped like exact ones.
 */
export const EVAL_PIPELINE_VERSION = "ingotforge-eval/2";

/**
 * Everything a coalition's holdout score depends on besides its examples and seed: the inputs
 * the attribution estimator keys its utility cache with. The eval run and its replay both
 * build them here, so a replay can only reuse what the same inputs produced.
 */
export function evalUtilityInputs(p: { baseRoot: Hex; holdoutRoot: Hex; hyper: Omit<LoraHyperParameters, "seed">; engineMode: ScoringMode }) {
  return { pipeline: EVAL_PIPELINE_VERSION, base: p.baseRoot, holdout: p.holdoutRoot, hyper: p.hyper, engine: p.engineMode };
}
