import type { ScoreVector } from "./buildScoreVector.js";

/** JSON-safe form of a score vector: integer scores as decimal strings (JSON has no int256). */
export function scoreVectorToJson(vector: ScoreVector) {
  return {
    ...vector,
    entries: vector.entries.map((e) => ({ ...e, score: e.score.toString(), scoreStdError: e.scoreStdError.toString() })),
  };
}
