import type { Hex } from "viem";
import { assignmentKey } from "../assignWorker.js";
import { ComputeError } from "../errors.js";
import type { HealthScores } from "./types.js";

export interface RankWorkersWeightedParameters<W extends { computeId: number }> {
  jobId: Hex;
  /** Fixed when the Forge's window closed (e.g. the closing block's hash or prevrandao). */
  publicSeed: Hex | string;
  workers: readonly W[];
  /** Each worker's weight, a health score in [0, 1], by computeId; a worker left out weighs `initial`. */
  health?: HealthScores;
  /** Weight of a worker missing from `health` (default 1). */
  initial?: number;
}

/**
 * Every worker in the order the job tries them: weighted rendezvous hashing. Each worker draws
 * u = (first 52 bits of assignmentKey(seed, jobId, computeId) + ½) / 2^52 ∈ (0, 1) and scores
 * weight / −ln(u); highest first. A worker is first with probability weight / Σ weights, anyone
 * with the seed and the weights recomputes the same order, and removing a worker moves only its
 * own jobs. With equal weights the order is exactly rankWorkers' (the score is monotone in u).
 * A worker of weight 0 comes after every positive one.
 */
export function rankWorkersWeighted<W extends { computeId: number }>(params: RankWorkersWeightedParameters<W>): W[] {
  const initial = params.initial ?? 1;
  const seen = new Set<number>();
  const keyed = params.workers.map((w) => {
    if (seen.has(w.computeId)) throw new ComputeError(`Worker ${w.computeId} is listed twice`, { hint: "Pass each registered worker once" });
    seen.add(w.computeId);
    const weight = params.health?.[String(w.computeId)] ?? initial;
    if (!(weight >= 0 && weight <= 1)) {
      throw new ComputeError(`Worker ${w.computeId} has health ${String(weight)}, not in [0, 1]`, { hint: "Pass health scores from a pool record or a prior in range" });
    }
    const key = assignmentKey(String(params.publicSeed), params.jobId, w.computeId);
    const u = (parseInt(key.slice(0, 13), 16) + 0.5) / 2 ** 52;
    return { w, key, score: weight / -Math.log(u) };
  });
  keyed.sort((x, y) => y.score - x.score || (x.key > y.key ? -1 : x.key < y.key ? 1 : x.w.computeId - y.w.computeId));
  return keyed.map((k) => k.w);
}
