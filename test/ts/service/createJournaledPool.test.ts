import { mkdtemp, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keccak256, toBytes, toHex, type Hex } from "viem";
import type { ComputeCredit, ComputePool, ComputePoolRecord, JobRecord, TrainJobReturnType, WorkerRecord } from "../../../coordinator/src/compute/createComputePool.js";
import type { TrainingJob } from "../../../coordinator/src/compute/types.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";
import { createJournaledPool } from "../../../coordinator/src/service/createJournaledPool.js";
import { JobJournalError } from "../../../coordinator/src/service/errors.js";

/** A store in memory, keyed by a stand-in root (keccak of the bytes). */
function memoryStore(): ContentStore & { gets: number } {
  const items = new Map<string, Uint8Array>();
  return {
    kind: "local",
    gets: 0,
    async put(bytes) {
      const root = keccak256(bytes);
      items.set(root, bytes);
      return { root, size: bytes.length };
    },
    async get(root) {
      this.gets++;
      const b = items.get(root);
      if (!b) throw new Error(`missing ${root}`);
      return b;
    },
    async has(root) {
      return items.has(root);
    },
  };
}

/** An inner pool that "trains" by storing bytes named after the job, and counts its trainings. */
function countingPool(store: ContentStore, opts: { faulty?: number[] } = {}): ComputePool & { trainings: Hex[] } {
  const jobs: JobRecord[] = [];
  const workers: WorkerRecord[] = [0, 1].map((computeId) => ({ computeId, publicKey: toHex(computeId, { size: 32 }), status: opts.faulty?.includes(computeId) ? "faulty" : "active", failures: 0 }));
  const trainings: Hex[] = [];
  return {
    trainings,
    async train(job): Promise<TrainJobReturnType> {
      trainings.push(job.jobId);
      const adapterBytes = toBytes(`adapter of ${job.jobId}`);
      const { root } = await store.put(adapterBytes);
      const computeId = Number(BigInt(job.jobId) % 2n);
      jobs.push({ job, audited: false, ranking: [computeId], attempts: [], outcome: { by: "worker", computeId, adapterRoot: root, adapterHash: keccak256(root), trainedTokens: 100, verified: false } });
      return { jobId: job.jobId, adapterRoot: root, adapterBytes, adapterHash: keccak256(root), computeId, verified: false, trainedTokens: 100 };
    },
    credits(): ComputeCredit[] {
      return workers.map((w) => {
        const mine = jobs.filter((j) => j.outcome.computeId === w.computeId);
        const faulty = w.status === "faulty";
        return { computeId: w.computeId, publicKey: w.publicKey, acceptedJobs: faulty ? 0 : mine.length, verifiedJobs: 0, trainedTokens: faulty ? 0 : mine.length * 100, faulty };
      });
    },
    record(): ComputePoolRecord {
      return { publicSeed: "0x01", verification: { policy: "none", fraction: 0 }, workers: structuredClone(workers), jobs: structuredClone(jobs) };
    },
  };
}

const job = (n: number): TrainingJob => ({ forge: "0x0000000000000000000000000000000000000001", jobId: toHex(n, { size: 32 }), baseModelRoot: toHex(7, { size: 32 }), exampleHashes: [`e${n}`], hyper: {} as TrainingJob["hyper"] });

describe("createJournaledPool", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-journal-"));
    file = path.join(dir, "jobs.jsonl");
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("answers a job journaled before a restart from the store, without training it again", async () => {
    const store = memoryStore();
    const before = countingPool(store);
    const a = await createJournaledPool({ pool: before, file, store });
    const first = await a.train(job(2), []);
    const after = countingPool(store);
    const b = await createJournaledPool({ pool: after, file, store });
    const again = await b.train(job(2), []);
    expect(after.trainings).toEqual([]);
    expect(b.resumed).toBe(1);
    expect(again.adapterRoot).toBe(first.adapterRoot);
    expect(again.adapterBytes).toEqual(first.adapterBytes);
    await b.train(job(3), []);
    expect(after.trainings).toEqual([job(3).jobId]);
  });

  it("keeps the credit and the job records a worker earned before the restart", async () => {
    const store = memoryStore();
    const a = await createJournaledPool({ pool: countingPool(store), file, store });
    await a.train(job(2), []);
    await a.train(job(4), []);
    const b = await createJournaledPool({ pool: countingPool(store), file, store });
    await b.train(job(6), []);
    await b.train(job(2), []);
    expect(b.credits().find((c) => c.computeId === 0)).toMatchObject({ acceptedJobs: 3, trainedTokens: 300, faulty: false });
    expect(b.record().jobs.map((j) => j.job.jobId).sort()).toEqual([job(2).jobId, job(4).jobId, job(6).jobId].sort());
  });

  it("forfeits the credit of a worker the journal shows was caught cheating", async () => {
    const store = memoryStore();
    const a = await createJournaledPool({ pool: countingPool(store, { faulty: [0] }), file, store });
    await a.train(job(2), []);
    const b = await createJournaledPool({ pool: countingPool(store), file, store });
    await b.train(job(4), []);
    expect(b.credits().find((c) => c.computeId === 0)).toMatchObject({ acceptedJobs: 0, trainedTokens: 0, faulty: true });
    expect(b.record().workers.find((w) => w.computeId === 0)!.status).toBe("faulty");
  });

  it("drops a line torn by a crash mid-append and appends the next job on a line of its own", async () => {
    const store = memoryStore();
    const a = await createJournaledPool({ pool: countingPool(store), file, store });
    await a.train(job(2), []);
    await appendFile(file, '{"format":"ingotforge-job-journal/1","rec');
    const inner = countingPool(store);
    const b = await createJournaledPool({ pool: inner, file, store });
    await b.train(job(3), []);
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { record: { job: { jobId: Hex } } }).record.job.jobId)).toEqual([job(2).jobId, job(3).jobId]);
    expect(inner.trainings).toEqual([job(3).jobId]);
  });

  it("refuses a journal with bad JSON before its last line, naming the line", async () => {
    const store = memoryStore();
    await writeFile(file, 'not json\n{"format":"ingotforge-job-journal/1"}\n');
    const error = await createJournaledPool({ pool: countingPool(store), file, store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobJournalError);
    expect((error as Error).message).toContain("line 1");
  });
});
