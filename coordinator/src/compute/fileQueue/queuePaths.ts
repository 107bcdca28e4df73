import { join } from "node:path";
import type { Hex } from "viem";

/**
 * Layout of a Forge's file queue (one directory per Forge, lowercase address):
 *   <queueDir>/<forge>/jobs/<jobId>.<workerKey>.json     job file, waiting for its worker
 *   <queueDir>/<forge>/claimed/<jobId>.<workerKey>.json  taken by the worker (atomic rename)
 *   <queueDir>/<forge>/results/<jobId>.<workerKey>.json  the worker's signed result (or its error)
 *   <queueDir>/<forge>/tmp/                              partial writes, renamed into place
 * `workerKey` is the worker's Ed25519 public key without 0x: a job is addressed to one worker, so
 * redoing a job on another worker never collides with the first one's files, and a worker only
 * needs its key to find its jobs.
 */
export interface QueuePaths {
  forgeDir: string;
  jobs: string;
  claimed: string;
  results: string;
  tmp: string;
}

export function queuePaths(queueDir: string, forge: string): QueuePaths {
  const forgeDir = join(queueDir, forge.toLowerCase());
  return { forgeDir, jobs: join(forgeDir, "jobs"), claimed: join(forgeDir, "claimed"), results: join(forgeDir, "results"), tmp: join(forgeDir, "tmp") };
}

export function jobFileName(jobId: Hex, workerPublicKey: Hex): string {
  return `${jobId.toLowerCase()}.${workerPublicKey.toLowerCase().slice(2)}.json`;
}

/** The jobId of a file addressed to `workerPublicKey`, or undefined for anyone else's file. */
export function jobIdOfFileName(name: string, workerPublicKey: Hex): Hex | undefined {
  const m = /^(0x[0-9a-f]{64})\.([0-9a-f]{64})\.json$/.exec(name);
  return m && m[2] === workerPublicKey.toLowerCase().slice(2) ? (m[1] as Hex) : undefined;
}
