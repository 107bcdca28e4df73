#!/usr/bin/env node
// Re-executes one job of a compute pool record with the deterministic trainer and says whether it
// reproduces the accepted result (adapter hash, 0G root, trained tokens).
//
//   npx tsx coordinator/src/compute/cli/replayJob.ts --record pool-record.json --job 0x… --store ./store \
//     [--base base.gguf] [--data contribution.jsonl …] [--sequences sequences.json] [--contribution-key key] [--json]
//
// --record is a pool record (pool.record()) or an attribution log (its compute.jobs is used, and
// its contributions are fetched from --store by root when no --data/--sequences is given; they are
// sealed to the enclave, so --contribution-key, the enclave's X25519 private key as 64 hex digits,
// opens each for the chain, Forge and contributor the log names).
// The record holds example hashes, not tokens: the job's examples are re-tokenized from --data
// (or taken from --sequences: a JSON array or JSON lines of {id: exampleHash, tokens, scoreFrom}).
// Exit status: 0 reproduced, 1 not reproduced (or the record was altered), 2 usage, 3 cannot replay.
import { readFile } from "node:fs/promises";
import type { ParseArgsOptionsConfig } from "node:util";
import { z } from "zod";
import type { ComputePoolRecord } from "../createComputePool.js";
import { ReplayJobError } from "../replay/errors.js";
import { replayJob, type ReplayJobReturnType } from "../replay/replayJob.js";
import { createLocalContentStore } from "../../storage/createLocalContentStore.js";
import { looksSealedContribution } from "../../sealing/decodeContributionEnvelope.js";
import { openContribution } from "../../sealing/openContribution.js";
import type { ContributionBinding } from "../../sealing/types.js";
import type { ScoredSequence } from "../types.js";
import { runCommandLine, UsageError, type CommandLineValues } from "./runCommandLine.js";

const USAGE =
  "usage: replay-job --record <pool-record.json | attribution-log.json> --job <0x jobId> --store <dir> [--base <base.gguf>]\n" +
  "                  [--data <contribution.jsonl> …] [--sequences <sequences.json>] [--contribution-key <file>] [--json]";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const poolRecordSchema = z.looseObject({
  publicSeed: z.string(),
  verification: z.looseObject({ policy: z.string(), fraction: z.number() }),
  workers: z.array(z.unknown()),
  jobs: z.array(z.looseObject({ job: z.looseObject({ jobId: hex32, exampleHashes: z.array(z.string()) }), outcome: z.looseObject({ adapterRoot: hex32, adapterHash: hex32, trainedTokens: z.number() }) })),
});
const attributionLogSchema = z.looseObject({
  chainId: z.number().int().positive().optional(),
  forge: z.string().optional(),
  compute: z.looseObject({ jobs: poolRecordSchema }),
  contributions: z.array(z.looseObject({ root: hex32, contributor: z.string().optional() })).optional(),
});
const sequenceSchema = z.object({ id: z.string(), tokens: z.array(z.number().int().nonnegative()), scoreFrom: z.number().int().nonnegative() });


const OPTIONS = {
  record: { type: "string" },
  job: { type: "string" },
  store: { type: "string" },
  base: { type: "string" },
  data: { type: "string", multiple: true, default: [] },
  sequences: { type: "string" },
  "contribution-key": { type: "string" },
  json: { type: "boolean", default: false },
} satisfies ParseArgsOptionsConfig;

async function main(values: CommandLineValues<typeof OPTIONS>): Promise<number> {
  const missing = (["record", "job", "store"] as const).filter((k) => !values[k]);
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
  }
  if (!hex32.safeParse(values.job).success) {
    throw new UsageError(`--job ${values.job} is not a 32-byte 0x job id`);
  }

  try {
    const { record, contributions } = await readRecord(values.record!);
    const store = await createLocalContentStore({ dir: values.store! });
    const datasets: Uint8Array[] = [];
    for (const file of values.data) datasets.push(new Uint8Array(await readFile(file)));
    const sequences = values.sequences ? await readSequences(values.sequences) : undefined;
    let dataNote = `${values.data.length} data file(s)`;
    if (datasets.length === 0 && !sequences && contributions.length > 0) {
      const key = values["contribution-key"] ? await readContributionKey(values["contribution-key"]) : undefined;
      let sealedUnopened = 0;
      for (const c of contributions) {
        if (!(await store.has(c.root))) continue;
        const bytes = await store.get(c.root);
        if (!looksSealedContribution(bytes)) datasets.push(bytes);
        else if (key && c.binding) datasets.push(await openContribution({ envelope: bytes, recipientPrivateKey: key, expected: c.binding }).catch(() => new Uint8Array()));
        else sealedUnopened++;
      }
      dataNote = `${datasets.length} of the log's ${contributions.length} contributions, from the store`;
      if (sealedUnopened > 0) dataNote += ` (${sealedUnopened} sealed ones not opened: pass --contribution-key or --data)`;
    }
    const result = await replayJob({
      record,
      jobId: values.job!,
      store,
      ...(values.base ? { baseModelPath: values.base } : {}),
      ...(sequences ? { sequences } : {}),
      ...(datasets.length > 0 ? { datasets } : {}),
    });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : summary(result, dataNote));
    return result.reproduced ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) throw error; // exit 2, with the usage
    if (error instanceof ReplayJobError && error.code === "record-altered") {
      process.stdout.write(`job ${error.jobId}\nNOT REPRODUCED: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`replay-job: cannot replay: ${error instanceof Error ? error.message : String(error)}\n`);
    return 3;
  }
}

type RecordedContribution = { root: `0x${string}`; binding?: ContributionBinding };

async function readRecord(file: string): Promise<{ record: ComputePoolRecord; contributions: RecordedContribution[] }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read --record ${file}: ${(error as Error).message}`);
  }
  const pool = poolRecordSchema.safeParse(raw);
  if (pool.success) return { record: raw as ComputePoolRecord, contributions: [] };
  const log = attributionLogSchema.safeParse(raw);
  if (log.success) {
    const { chainId, forge } = log.data;
    const contributions = (log.data.contributions ?? []).map((c): RecordedContribution => ({
      root: c.root as `0x${string}`,
      ...(chainId && forge && c.contributor ? { binding: { chainId, forge: forge as `0x${string}`, contributor: c.contributor as `0x${string}` } } : {}),
    }));
    return { record: (raw as { compute: { jobs: ComputePoolRecord } }).compute.jobs, contributions };
  }
  throw new UsageError(`--record ${file} is neither a compute pool record nor an attribution log (${pool.error.issues[0]?.path.join(".")}: ${pool.error.issues[0]?.message})`);
}

/** The enclave's X25519 private key: 64 hex digits, optionally 0x-prefixed (as `coordinator replay --holdout-key`). */
async function readContributionKey(file: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = (await readFile(file, "utf8")).trim();
  } catch (error) {
    throw new UsageError(`cannot read --contribution-key ${file}: ${(error as Error).message}`);
  }
  const hex = text.startsWith("0x") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new UsageError(`--contribution-key ${file} does not hold 32 bytes of hex (the enclave's X25519 private key)`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

async function readSequences(file: string): Promise<ScoredSequence[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --sequences ${file}: ${(error as Error).message}`);
  }
  let items: unknown[];
  try {
    const trimmed = text.trim();
    items = trimmed.startsWith("[") ? JSON.parse(trimmed) : trimmed.split("\n").filter((l) => l.trim().length > 0).map((l) => JSON.parse(l));
  } catch (error) {
    throw new UsageError(`--sequences ${file} is not JSON or JSON lines: ${(error as Error).message}`);
  }
  const parsed = z.array(sequenceSchema).safeParse(items);
  if (!parsed.success) throw new UsageError(`--sequences ${file}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function summary(r: ReplayJobReturnType, dataNote: string): string {
  const mark = (ok: boolean) => (ok ? "match" : "MISMATCH");
  const who = r.recorded.by === "worker" ? `worker ${r.recorded.computeId}` : "the coordinator (no worker left)";
  const how = r.recorded.verified ? "verified by re-execution" : "accepted unverified";
  const src = r.sequences.source === "supplied" ? "from --sequences" : `re-tokenized from ${dataNote}`;
  const bound = r.sequences.bound ? "proven by the job's sequencesHash" : "the job has no sequencesHash: tokens not proven";
  const lines = [
    `job ${r.jobId}`,
    `  forge           ${r.job.forge}`,
    `  base            ${r.job.baseModelRoot}`,
    `  examples        ${r.sequences.count} (${src}; ${bound})`,
    `  recorded        by ${who}, ${how}${r.recorded.suspect ? ", SUSPECT (its worker was caught cheating)" : ""}`,
    `    adapter hash  ${r.recorded.adapterHash}`,
    `    adapter root  ${r.recorded.adapterRoot}`,
    `    tokens        ${r.recorded.trainedTokens}`,
    `  replayed        in ${(r.ms / 1000).toFixed(1)} s`,
    `    adapter hash  ${r.replayed.adapterHash}  ${mark(r.matches.adapterHash)}`,
    `    adapter root  ${r.replayed.adapterRoot}  ${mark(r.matches.adapterRoot)}`,
    `    tokens        ${r.replayed.trainedTokens}  ${mark(r.matches.trainedTokens)}`,
    `  stored adapter  ${r.storedAdapter === "same-bytes" ? "in the store, byte-identical to the replay" : r.storedAdapter === "different-bytes" ? "in the store, DIFFERENT bytes" : "not in the store"}`,
    r.reproduced ? "REPRODUCED" : "NOT REPRODUCED",
  ];
  return `${lines.join("\n")}\n`;
}

void runCommandLine({ name: "replay-job", usage: USAGE, options: OPTIONS, main });
