import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { ComputeError } from "./errors.js";

export interface RankWorkersParameters<W extends { computeId: number }> {
  jobId: Hex;
  /** Fixed when the Forge's window closed (e.g. the closing block's hash or prevrandao). */
  publicSeed: Hex | string;
  workers: readonly W[];
}

/**
 * Every worker in the order the job tries them: rendezvous (highest-random-weight) hashing on
 * sha256("ingotforge/compute/assign/v1" ‖ publicSeed ‖ jobId ‖ computeId). Anyone holding the seed
 * recomputes the same order; jobs spread evenly; and removing a worker moves only its own jobs
 * (the others keep their first choice), so routing around a faulty worker reshuffles nothing else.
 */
export function rankWorkers<W extends { computeId: number }>(params: RankWorkersParameters<W>): W[] {
  const seen = new Set<number>();
  for (const w of params.workers) {
    if (seen.has(w.computeId)) {
      throw new ComputeError(`Worker ${w.computeId} is listed twice`, { hint: "Pass each registered worker once" });
    }
    seen.add(w.computeId);
  }
  const keyed = params.workers.map((w) => ({ w, key: assignmentKey(params.publicSeed, params.jobId, w.computeId) }));
  // Ties are impossible in practice (distinct sha256 digests); computeId breaks them anyway.
  keyed.sort((x, y) => (x.key > y.key ? -1 : x.key < y.key ? 1 : x.w.computeId - y.w.computeId));
  return keyed.map((k) => k.w);
}

export interface AssignWorkerParameters<W extends { computeId: number }> extends RankWorkersParameters<W> {
  /** computeIds that may not take the job (faulty, or already tried). */
  exclude?: ReadonlySet<number>;
}

/** The worker a job goes to: the first of rankWorkers not excluded; undefined when none is left. */
export function assignWorker<W extends { computeId: number }>(params: AssignWorkerParameters<W>): W | undefined {
  return rankWorkers(params).find((w) => !params.exclude?.has(w.computeId));
}

/** sha256("ingotforge/compute/assign/v1\n" ‖ seed ‖ "\n" ‖ jobId ‖ "\n" ‖ computeId) as hex: the draw both rankings use. */
export function assignmentKey(publicSeed: string, jobId: string, computeId: number): string {
  return createHash("sha256").update(`ingotforge/compute/assign/v1\n${publicSeed.toLowerCase()}\n${jobId.toLowerCase()}\n${computeId}`).digest("hex");
}
