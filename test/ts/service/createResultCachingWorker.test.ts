import { mkdtemp, rm, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toHex } from "viem";
import type { ComputeWorker, TrainingJob, TrainingJobResult } from "../../../coordinator/src/compute/types.js";
import { createResultCachingWorker } from "../../../coordinator/src/service/createResultCachingWorker.js";

const job = (n: number): TrainingJob => ({ forge: "0x0000000000000000000000000000000000000001", jobId: toHex(n, { size: 32 }), baseModelRoot: toHex(7, { size: 32 }), exampleHashes: [], hyper: {} as TrainingJob["hyper"] });

function countingWorker(): ComputeWorker & { runs: number } {
  return {
    computeId: 3,
    publicKey: toHex(9, { size: 32 }),
    runs: 0,
    async run(j): Promise<TrainingJobResult> {
      this.runs++;
      return { jobId: j.jobId, computeId: 3, workerPublicKey: toHex(9, { size: 32 }), adapterRoot: toHex(this.runs, { size: 32 }), adapterHash: toHex(1, { size: 32 }), trainedTokens: 10, signature: "0x00" };
    },
  };
}

describe("createResultCachingWorker", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-results-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("returns the result kept before a restart instead of asking the worker to train again", async () => {
    const inner = countingWorker();
    const first = await createResultCachingWorker({ worker: inner, dir }).run(job(1), []);
    const again = await createResultCachingWorker({ worker: inner, dir }).run(job(1), []);
    expect(inner.runs).toBe(1);
    expect(again).toEqual(first);
    await createResultCachingWorker({ worker: inner, dir }).run(job(2), []);
    expect(inner.runs).toBe(2);
    expect((await readdir(dir)).sort()).toEqual([`${job(1).jobId}-3.json`, `${job(2).jobId}-3.json`]);
  });

  it("asks the worker again when the kept file is torn", async () => {
    const inner = countingWorker();
    await writeFile(path.join(dir, `${job(1).jobId}-3.json`), '{"jobId":');
    await createResultCachingWorker({ worker: inner, dir }).run(job(1), []);
    expect(inner.runs).toBe(1);
  });
});
