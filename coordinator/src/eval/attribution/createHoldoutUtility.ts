import { AttributionError } from "./errors.js";
import type { SeededUtility } from "./types.js";

/** Holdout scoring result: summed negative log-likelihood (nats) over `tokens` scored response tokens. */
export interface HoldoutScore {
  nll: number;
  tokens: number;
}

export interface CreateHoldoutUtilityParameters {
  /** Score the holdout on the base model alone (called once). */
  scoreBase: () => Promise<HoldoutScore>;
  /**
   * Train an adapter on the (de-duplicated) examples of `members` with training seed `seed`, then
   * score the holdout on base + adapter. Never called for ∅.
   */
  scoreTrained: (members: readonly number[], seed: string | number) => Promise<HoldoutScore>;
}

/** ln PPL = Σ NLL / Σ tokens: mean negative log-likelihood per scored response token, in nats. */
export function logPerplexity(score: HoldoutScore): number {
  if (!(score.tokens > 0) || !Number.isInteger(score.tokens)) throw new AttributionError(`a holdout score needs a positive whole token count, got ${score.tokens}`);
  if (!Number.isFinite(score.nll) || score.nll < 0) throw new AttributionError(`a holdout NLL must be finite and ≥ 0, got ${score.nll}`);
  return score.nll / score.tokens;
}

/**
 * The product's utility (nats per response token):
 *
 *   U(S, seed) = ln PPL(base) − ln PPL(base + adapter trained on S with `seed`),
 *
 * where ln PPL is the mean NLL per response token of the holdout (each token given all before
 * it). U(∅) = 0 exactly: no adapter is trained for the empty set. Positive = the adapter predicts
 * the holdout better; a value of 0.01 is a 1% lower perplexity (e^−0.01 ≈ 0.99).
 */
export function createHoldoutUtility(params: CreateHoldoutUtilityParameters): SeededUtility {
  let base: Promise<HoldoutScore> | undefined;
  return async (members, seed) => {
    if (members.length === 0) return 0;
    base ??= params.scoreBase();
    const [b, t] = [await base, await params.scoreTrained(members, seed)];
    if (b.tokens !== t.tokens) {
      throw new AttributionError(
        `the base scored ${b.tokens} holdout tokens but the adapter for [${members.join(", ")}] scored ${t.tokens}; ` +
          "both must score the same holdout with the same tokenizer",
      );
    }
    return logPerplexity(b) - logPerplexity(t);
  };
}
