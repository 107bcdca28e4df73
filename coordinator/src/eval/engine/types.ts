/** One sequence to score: positions scoreFrom..tokens.length-1 are scored, each given all tokens before it. */
export interface ScoredSequence {
  id: string;
  tokens: number[];
  /** First scored position, at least 1 (position 0 has nothing to condition on). */
  scoreFrom: number;
}

export interface SequenceScore {
  id: string;
  /** −Σ log p over the scored positions (nats). */
  nll: number;
  /** Number of scored positions (tokens.length − scoreFrom). */
  tokens: number;
  /** log p(tokens[i] | tokens[<i]) for i = scoreFrom..tokens.length-1. */
  tokenLogProbs: number[];
}

export interface ScoringProgress {
  sequencesDone: number;
  sequencesTotal: number;
  tokensDone: number;
  tokensTotal: number;
  elapsedMs: number;
  /** Scored-and-context tokens evaluated per second so far. */
  tokensPerSecond: number;
  /** Estimated milliseconds left at the current rate. */
  etaMs: number;
}
