import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Hex } from "viem";
import type { ComputeCredit, ComputePool, ComputePoolRecord, JobRecord, WorkerRecord } from "../compute/createComputePool.js";
import type { ContentStore } from "../storage/types.js";
import { JobJournalError } from "./errors.js";

const FORMAT = "ingotforge-job-journal/1";

/** One line of the journal: a job the pool accepted, and the workers' state right after it. */
interface JournalLine {
  format: typeof FORMAT;
  record: JobRecord;
  workers: WorkerRecord[];
}

export interface CreateJournaledPoolParameters {
  pool: ComputePool;
  /** Append-only JSON lines, one per accepted job (`<workDir>/jobs.jsonl`). */
  file: string;
  /** Where the accepted adapters are (re-hashed on every get). */
  store: ContentStore;
}

export interface JournaledPool extends ComputePool {
  /** Jobs answered from the journal (trained before a restart) in this process. */
  readonly resumed: number;
}

/**
 * A compute pool that survives restarts. Each job the inner pool accepts is appended to a journal
 * (with its full record: attempts, verification, outcome) before the adapter is used; after a
 * restart a journaled job returns its adapter from the store instead of training again, and the
 * workers keep the credit they earned before the crash — or lose it, when the journal shows they
 * were caught cheating. A job interrupted mid-training is not in the journal and is trained again.
 */
export async function createJournaledPool(p: CreateJournaledPoolParameters): Promise<JournaledPool> {
  const journaled = new Map<Hex, JobRecord>();
  const faulty = new Map<number, WorkerRecord>();
  const { lines, torn } = await readJournal(p.file);
  // Drop a line torn by a crash mid-append, so the next append starts on a line of its own.
  if (torn) await writeFile(p.file, lines.map((l) => JSON.stringify(l) + "\n").join(""));
  for (const line of lines) {
    journaled.set(line.record.job.jobId, line.record);
    for (const w of line.workers) if (w.status === "faulty") faulty.set(w.computeId, w);
  }
  await mkdir(dirname(p.file), { recursive: true });
  let resumed = 0;
  let appending: Promise<void> = Promise.resolve();

  const isFaulty = (computeId: number, inner: WorkerRecord[]) => faulty.has(computeId) || inner.some((w) => w.computeId === computeId && w.status === "faulty");

  return {
    get resumed() {
      return resumed;
    },
    async train(job, sequences, options) {
      const known = journaled.get(job.jobId);
      if (known) {
        resumed++;
        const o = known.outcome;
        return { jobId: job.jobId, adapterRoot: o.adapterRoot, adapterBytes: await p.store.get(o.adapterRoot), adapterHash: o.adapterHash, computeId: o.computeId, verified: o.verified, trainedTokens: o.trainedTokens };
      }
      const out = await p.pool.train(job, sequences, options);
      const snapshot = p.pool.record();
      const record = snapshot.jobs.find((j) => j.job.jobId === job.jobId);
      if (record) {
        journaled.set(job.jobId, record);
        const line: JournalLine = { format: FORMAT, record, workers: snapshot.workers };
        appending = appending.then(() => appendFile(p.file, JSON.stringify(line) + "\n"));
        await appending;
      }
      return out;
    },
    credits() {
      const inner = p.pool.credits();
      const innerWorkers = p.pool.record().workers;
      const byId = new Map<number, ComputeCredit>(inner.map((c) => [c.computeId, { ...c }]));
      const innerJobs = new Set(p.pool.record().jobs.map((j) => j.job.jobId));
      for (const rec of journaled.values()) {
        if (innerJobs.has(rec.job.jobId) || rec.outcome.by !== "worker") continue;
        const c = byId.get(rec.outcome.computeId);
        if (!c) continue;
        c.acceptedJobs++;
        if (rec.outcome.verified) c.verifiedJobs++;
        c.trainedTokens += rec.outcome.trainedTokens;
      }
      for (const c of byId.values()) {
        if (isFaulty(c.computeId, innerWorkers)) Object.assign(c, { faulty: true, acceptedJobs: 0, verifiedJobs: 0, trainedTokens: 0 });
      }
      return [...byId.values()];
    },
    record(): ComputePoolRecord {
      const inner = p.pool.record();
      const innerJobs = new Set(inner.jobs.map((j) => j.job.jobId));
      const earlier = [...journaled.values()].filter((r) => !innerJobs.has(r.job.jobId)).map((r) => structuredClone(r));
      const workers = inner.workers.map((w) => (faulty.has(w.computeId) && w.status !== "faulty" ? structuredClone(faulty.get(w.computeId)!) : w));
      const faultyIds = new Set(workers.filter((w) => w.status === "faulty").map((w) => w.computeId));
      for (const r of earlier) if (r.outcome.by === "worker" && !r.outcome.verified && faultyIds.has(r.outcome.computeId)) r.suspect = true;
      return { ...inner, workers, jobs: [...earlier, ...inner.jobs] };
    },
  };
}

async function readJournal(file: string): Promise<{ lines: JournalLine[]; torn: boolean }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return { lines: [], torn: false };
    throw new JobJournalError(file, "cannot be read", { cause });
  }
  const lines = text.split("\n");
  const out: JournalLine[] = [];
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === "") continue;
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch (cause) {
      // A crash mid-append leaves at most the last line torn: that job is simply trained again.
      if (lines.slice(i + 1).every((l) => l.trim() === "")) return { lines: out, torn: true };
      throw new JobJournalError(file, `has bad JSON on line ${i + 1}`, { cause });
    }
    if (line.format !== FORMAT || typeof line.record?.job?.jobId !== "string" || !line.record.outcome) throw new JobJournalError(file, `line ${i + 1} is not a ${FORMAT} entry`);
    out.push(line);
  }
  return { lines: out, torn: false };
}
