import type { HoldoutScore } from "../eval/attribution/createHoldoutUtility.js";
import type { ScoringEngine } from "../eval/engine/createScoringEngine.js";
import type { ScoredSequence } from "../eval/train/types.js";

export interface HoldoutScorer {
  /** ΣNLL and Σtokens of the holdout on the base (no path) or the base plus the adapter at `adapterPath`. */
  score(adapterPath?: string): Promise<HoldoutScore>;
}

/**
 * Holdout scores, each computed once: adapter files are named by their job id (a hash of every
 * input), and exact-mode scoring is deterministic, so a repeated request (the base for the
 * metric, the served adapter's coalition) returns the same numbers without running llama.cpp
 * again. Used by the coordinator's eval and by `replay`.
 */
export function createHoldoutScorer(engine: ScoringEngine, holdout: readonly ScoredSequence[], signal?: AbortSignal): HoldoutScorer {
  const done = new Map<string, Promise<HoldoutScore>>();
  return {
    score(adapterPath) {
      const key = adapterPath ?? "";
      let pending = done.get(key);
      if (!pending) {
        pending = engine
          .scoreSequences(holdout, { ...(adapterPath ? { adapterPath } : {}), ...(signal ? { signal } : {}) })
          .then((scores) => ({ nll: scores.reduce((a, s) => a + s.nll, 0), tokens: scores.reduce((a, s) => a + s.tokens, 0) }));
        // A failed or aborted call is not remembered: the next request tries again.
        pending.catch(() => done.delete(key));
        done.set(key, pending);
      }
      return pending;
    },
  };
}
