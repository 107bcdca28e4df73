import type { RunAttributionReturnType } from "../demo/runAttribution.js";

/** JSON-safe result: scores as decimal strings, the adapter by path and hash (its bytes are in the file). */
export function attributionResultToJson(r: RunAttributionReturnType) {
  const { bytes: _bytes, ...tuned } = r.tuned ?? { bytes: undefined };
  return {
    contributions: r.contributions.map((c) => ({ ...c, score: c.score.toString() })),
    base: r.base,
    tuned: r.tuned ? tuned : null,
    scoreVector: r.scoreVectorJson,
    noise: r.noise,
    trainings: r.trainings,
    adapters: r.adapters,
    evaluations: r.evaluations,
    inputsHash: r.inputsHash,
    wallMs: r.wallMs,
  };
}
