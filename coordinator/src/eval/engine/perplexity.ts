import { ScoringInputError } from "./errors.js";
import type { SequenceScore } from "./types.js";

/** exp(Σ nll / Σ tokens) over all scored tokens of all sequences (token-weighted, not a mean of per-sequence perplexities). */
export function perplexity(scores: readonly Pick<SequenceScore, "nll" | "tokens">[]): number {
  let nll = 0;
  let tokens = 0;
  for (const s of scores) {
    nll += s.nll;
    tokens += s.tokens;
  }
  if (tokens === 0) throw new ScoringInputError("perplexity needs at least one scored token");
  return Math.exp(nll / tokens);
}
