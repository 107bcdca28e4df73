import type { ScoringEngine } from "../engine/createScoringEngine.js";
import type { ScoredSequence } from "../engine/types.js";
import type { LoraAdapter, Qwen2Model } from "../model/types.js";
import { forwardReference64 } from "./forwardReference64.js";

export interface MeasureReferenceGapParameters {
  engine: ScoringEngine;
  /** The same model the engine loaded (e.g. `ggufToModel` of its file). */
  model: Qwen2Model;
  sequences: readonly ScoredSequence[];
  /** The adapter in memory and the file the engine applies; give both or neither. */
  adapter?: { adapter: LoraAdapter; path: string };
  arithmetic?: "engine" | "exact";
}

export interface MeasureReferenceGapReturnType {
  positions: number;
  /** Mean and max |engine log p − reference log p| over all scored positions (nats). */
  mean: number;
  max: number;
  /** Fraction of positions within 1e-4. */
  within1e4: number;
  /** Where the largest gap is. */
  worst: { id: string; position: number; engine: number; reference: number };
}

/**
 * Score sequences on the engine and with `forwardReference64`, and summarize the per-token
 * gap: the measurement behind the tolerances asserted for quantized bases (run it on the
 * trained demo model to justify the tolerance used there).
 */
export async function measureReferenceGap({ engine, model, sequences, adapter, arithmetic = "engine" }: MeasureReferenceGapParameters): Promise<MeasureReferenceGapReturnType> {
  const scores = await engine.scoreSequences(sequences, adapter ? { adapterPath: adapter.path } : {});
  let positions = 0;
  let sum = 0;
  let close = 0;
  let worst = { id: "", position: -1, engine: 0, reference: 0 };
  let max = -1;
  scores.forEach((score, k) => {
    const s = sequences[k];
    const ref = forwardReference64(model, s.tokens, { scoreFrom: s.scoreFrom, adapter: adapter?.adapter, arithmetic }).tokenLogProbs;
    score.tokenLogProbs.forEach((lp, i) => {
      const d = Math.abs(lp - ref[i]);
      positions++;
      sum += d;
      if (d <= 1e-4) close++;
      if (d > max) {
        max = d;
        worst = { id: s.id, position: s.scoreFrom + i, engine: lp, reference: ref[i] };
      }
    });
  });
  return { positions, mean: positions ? sum / positions : 0, max: Math.max(max, 0), within1e4: positions ? close / positions : 1, worst };
}
