import { createPrng } from "../../util/prng.js";
import { createEvaluator } from "./coalition.js";
import { spearmanCorrelation } from "./spearmanCorrelation.js";
import type { Utility } from "./types.js";

/** The cross-check of an in-run attribution that goes into the attribution record. */
export interface InRunCalibration {
  method: "leave-one-contribution-out";
  /** Seed of the sample of contributions. */
  seed: string | number;
  /** Player indices retrained without, ascending. */
  players: number[];
  /** U(N) − U(N ∖ {i}) for each sampled player (mean over the training seeds). */
  leaveOneOut: number[];
  /** The in-run values of the same players. */
  inRun: number[];
  /** Spearman rank correlation of the two (null when undefined: under 2 players or one side constant). */
  spearman: number | null;
  /** Coalitions trained for it (each once per training seed): 1 + samples. */
  evaluations: number;
}

/**
 * Leave-one-contribution-out retrainings on a seeded sample of `samples` players (all of them
 * when there are fewer), and the rank correlation of those marginals with the in-run values. It
 * says how far the first-order estimate can be trusted on this Forge, at 1 + samples trainings.
 */
export async function calibrateInRun(p: {
  players: number;
  inRunValues: readonly number[];
  utility: Utility;
  samples: number;
  seed: string | number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}): Promise<InRunCalibration> {
  const m = Math.min(p.samples, p.players);
  const all = Array.from({ length: p.players }, (_, i) => i);
  const sample = createPrng(`ingotforge/attribution/in-run-calibration/${typeof p.seed}:${p.seed}`)
    .shuffle(all)
    .slice(0, m)
    .sort((a, b) => a - b);
  const evaluator = createEvaluator({ players: p.players, utility: p.utility, plannedEvaluations: 1 + m, onProgress: p.onProgress, signal: p.signal });
  const full = await evaluator.value(all);
  const leaveOneOut: number[] = [];
  for (const i of sample) leaveOneOut.push(full - (await evaluator.value(all.filter((j) => j !== i))));
  const inRun = sample.map((i) => p.inRunValues[i]);
  return { method: "leave-one-contribution-out", seed: p.seed, players: sample, leaveOneOut, inRun, spearman: spearmanCorrelation(leaveOneOut, inRun), evaluations: evaluator.evaluations };
}
