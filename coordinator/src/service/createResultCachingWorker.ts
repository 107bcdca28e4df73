import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ComputeWorker, TrainingJobResult } from "../compute/types.js";

export interface CreateResultCachingWorkerParameters {
  worker: ComputeWorker;
  /** One file per (job, worker): `<dir>/<jobId>-<computeId>.json`. */
  dir: string;
}

/**
 * A worker whose signed results are kept on disk the moment they arrive, before the pool checks
 * them: a coordinator killed between a worker's answer and the job journal asks again after the
 * restart and gets the same result back instead of a second training. (The file queue keeps its
 * result files for the same reason.) The result is still untrusted: the pool checks the
 * signature, the adapter in the store and, when audited, re-executes, exactly as the first time.
 */
export function createResultCachingWorker(p: CreateResultCachingWorkerParameters): ComputeWorker {
  return {
    computeId: p.worker.computeId,
    publicKey: p.worker.publicKey,
    async run(job, sequences, options) {
      const file = path.join(p.dir, `${job.jobId.toLowerCase()}-${p.worker.computeId}.json`);
      try {
        const cached = JSON.parse(await readFile(file, "utf8")) as TrainingJobResult;
        if (cached.jobId === job.jobId && cached.computeId === p.worker.computeId) return cached;
      } catch {
        // none yet, or torn by a crash: ask the worker
      }
      const result = await p.worker.run(job, sequences, options);
      await mkdir(p.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(result));
      await rename(tmp, file);
      return result;
    },
  };
}
