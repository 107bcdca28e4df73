import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComputePool, type ComputePoolRecord } from "../../../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { createReexecutor } from "../../../coordinator/src/compute/createReexecutor.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { ReplayJobError } from "../../../coordinator/src/compute/replay/errors.js";
import { replayJob } from "../../../coordinator/src/compute/replay/replayJob.js";
import { signJobResult } from "../../../coordinator/src/compute/signJobResult.js";
import type { ComputeWorker, ScoredSequence, TrainingJob } from "../../../coordinator/src/compute/types.js";
import { exampleHash } from "../../../coordinator/src/eval/dataset/exampleHash.js";
import { tokenizeExample } from "../../../coordinator/src/eval/dataset/tokenizeExample.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { ggufToLoraAdapter } from "../../../coordinator/src/eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../../../coordinator/src/eval/model/loraAdapterToGguf.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { hashAdapter } from "../../../coordinator/src/eval/train/hashAdapter.js";
import { createTokenizer } from "../../../coordinator/src/eval/tokenizer/createTokenizer.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { fixtureTokenizer } from "../eval/fixtures/tinyModels.js";
import { FORGE, hyper } from "./computeFixtures.js";

import { generateHpkeKeyPair } from "../../../coordinator/src/sealing/generateHpkeKeyPair.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
const CLI = fileURLToPath(new URL("../../../coordinator/src/compute/cli/replayJob.ts", import.meta.url));
const KEYS = [0, 1].map((i) => `0x${(i + 0x51).toString(16).repeat(32)}` as Hex);
/** A tiny base with a real byte-level BPE vocabulary, so raw examples tokenize as in the eval pipeline. */
const model = createRandomModel({
  seed: "replay",
  name: "replay-fixture",
  tensorType: "F32",
  tokenizer: fixtureTokenizer(),
  config: { vocabSize: 320, hiddenSize: 16, numLayers: 1, intermediateSize: 24, numHeads: 2, numKvHeads: 1, contextLength: 512, rmsNormEps: 1e-6, ropeTheta: 10000, tiedEmbeddings: false },
});
const tokenizer = createTokenizer(model.tokenizer);

const CONTRIBUTIONS = [
  [
    { id: "a1", prompt: "Is *p sound?", response: "Only if p is aligned." },
    { id: "a2", prompt: "unsafe impl Send?", response: "When Foo has no shared state." },
    { id: "a3", prompt: "transmute 1u32?", response: "It gives four bytes." },
  ],
  [
    { id: "b1", prompt: "from_raw_parts?", response: "ptr must be valid for len reads." },
    { id: "b2", prompt: "let x: u32 = 42;", response: "println! prints 42." },
  ],
];
const jsonl = (examples: object[]) => new TextEncoder().encode(examples.map((e) => `${JSON.stringify(e)}\n`).join(""));

let dir: string;
let store: LocalContentStore;
let baseModelRoot: Hex;
let basePath: string;
let datasets: Uint8Array[];
let dataFiles: string[];
let allSequences: ScoredSequence[];
let bound: TrainingJob; // planned with its sequences: sequencesHash binds the tokens
let unbound: TrainingJob; // planned from hashes only
let record: ComputePoolRecord;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compute-replay-"));
  store = await createLocalContentStore({ dir: join(dir, "store") });
  const baseBytes = modelToGguf(model);
  baseModelRoot = (await store.put(baseBytes)).root;
  basePath = join(dir, "base.gguf");
  await writeFile(basePath, baseBytes);
  datasets = CONTRIBUTIONS.map(jsonl);
  dataFiles = [];
  for (const [i, bytes] of datasets.entries()) {
    dataFiles.push(join(dir, `contribution-${i}.jsonl`));
    await writeFile(dataFiles[i], bytes);
  }
  allSequences = CONTRIBUTIONS.flat().map((e) => ({ ...tokenizeExample(tokenizer, e), id: exampleHash(e) }));
  const first = allSequences.slice(0, 3);
  bound = planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: first.map((s) => s.id), hyper: hyper("replay-a"), sequences: first });
  unbound = planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: allSequences.map((s) => s.id), hyper: hyper("replay-b") });

  const workers = KEYS.map((k, computeId) => createInProcessWorker({ computeId, ed25519PrivateKey: k, model, baseModelRoot, store }));
  const pool = createComputePool({ workers, publicSeed: "0xreplay", verification: { policy: "sample", fraction: 0.5 }, reexecute: createReexecutor({ store, model, baseModelRoot }), store });
  await pool.train(bound, first);
  await pool.train(unbound, allSequences);
  record = JSON.parse(JSON.stringify(pool.record())); // as read back from the attribution log
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tamperedRecord(jobId: Hex, change: (r: ComputePoolRecord["jobs"][number]) => void): ComputePoolRecord {
  const copy = structuredClone(record);
  change(copy.jobs.find((j) => j.job.jobId === jobId)!);
  return copy;
}

/** Any hash but `h`: flips its last hex digit. */
const flip = (h: string) => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as Hex;

describe("replayJob", () => {
  it("reproduces an honest job's accepted adapter from the record, re-tokenizing its examples from the raw data and proving them by sequencesHash", async () => {
    const out = await replayJob({ record, jobId: bound.jobId, store, baseModelPath: basePath, datasets });
    const accepted = record.jobs.find((j) => j.job.jobId === bound.jobId)!.outcome;
    expect(out.reproduced).toBe(true);
    expect(out.matches).toEqual({ adapterHash: true, adapterRoot: true, trainedTokens: true });
    expect(out.replayed).toEqual({ adapterRoot: accepted.adapterRoot, adapterHash: accepted.adapterHash, trainedTokens: accepted.trainedTokens });
    expect(out.recorded).toMatchObject({ by: "worker", adapterHash: accepted.adapterHash });
    expect(out.sequences).toEqual({ source: "re-tokenized", bound: true, count: 3 });
    expect(out.storedAdapter).toBe("same-bytes");
  });

  it("reproduces a job planned without sequencesHash from supplied sequences (a superset), saying the tokens were not proven", async () => {
    const shuffled = [...allSequences].reverse();
    const out = await replayJob({ record, jobId: unbound.jobId.toUpperCase().replace("0X", "0x"), store, sequences: shuffled });
    expect(out.reproduced).toBe(true);
    expect(out.sequences).toEqual({ source: "supplied", bound: false, count: allSequences.length });
  });

  it("reports a record whose accepted adapter hash was tampered with as not reproduced, naming the field", async () => {
    const tampered = tamperedRecord(bound.jobId, (r) => void (r.outcome.adapterHash = flip(r.outcome.adapterHash)));
    const out = await replayJob({ record: tampered, jobId: bound.jobId, store, baseModelPath: basePath, datasets });
    expect(out.reproduced).toBe(false);
    expect(out.matches).toEqual({ adapterHash: false, adapterRoot: true, trainedTokens: true });
    expect(out.replayed.adapterHash).toBe(record.jobs.find((j) => j.job.jobId === bound.jobId)!.outcome.adapterHash);
  });

  it("reports a tampered adapter root and trained-token count as not reproduced", async () => {
    const tampered = tamperedRecord(bound.jobId, (r) => {
      r.outcome.adapterRoot = flip(r.outcome.adapterRoot);
      r.outcome.trainedTokens += 1;
    });
    const out = await replayJob({ record: tampered, jobId: bound.jobId, store, datasets });
    expect(out.reproduced).toBe(false);
    expect(out.matches).toEqual({ adapterHash: true, adapterRoot: false, trainedTokens: false });
    expect(out.storedAdapter).toBe("missing");
  });

  it("catches a cheat the pool accepted unverified (policy none): the replay does not reproduce it", async () => {
    const honest = createInProcessWorker({ computeId: 0, ed25519PrivateKey: KEYS[0], model, baseModelRoot, store });
    const cheat: ComputeWorker = {
      computeId: 0,
      publicKey: honest.publicKey,
      async run(j, s) {
        const r = await honest.run(j, s);
        const adapter = ggufToLoraAdapter(await store.get(r.adapterRoot));
        adapter.pairs[0].b[0] += 1e-3;
        const { root } = await store.put(loraAdapterToGguf(adapter, { baseModelName: j.baseModelRoot, name: `ingotforge-job-${j.jobId.slice(2)}` }));
        return signJobResult({ result: { ...r, adapterRoot: root, adapterHash: `0x${hashAdapter(adapter)}` }, ed25519PrivateKey: KEYS[0] });
      },
    };
    const pool = createComputePool({ workers: [cheat], publicSeed: "0xnone", verification: { policy: "none" }, reexecute: createReexecutor({ store, model, baseModelRoot }), store });
    const first = allSequences.slice(0, 3);
    await pool.train(bound, first);
    const out = await replayJob({ record: pool.record(), jobId: bound.jobId, store, sequences: first });
    expect(out.recorded).toMatchObject({ by: "worker", verified: false });
    expect(out.reproduced).toBe(false);
    expect(out.matches.adapterHash).toBe(false);
    expect(out.storedAdapter).toBe("different-bytes");
  });

  it("refuses a record whose job fields were altered (they no longer hash to the jobId)", async () => {
    const altered = tamperedRecord(bound.jobId, (r) => void (r.job.hyper = { ...r.job.hyper, steps: 1 }));
    const error = await replayJob({ record: altered, jobId: bound.jobId, store, datasets }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayJobError);
    expect(error).toMatchObject({ code: "record-altered" });
  });

  it("says why it cannot replay: unknown job, examples not in the data given, tokens not the planned ones, another base", async () => {
    await expect(replayJob({ record, jobId: `0x${"ab".repeat(32)}`, store, datasets })).rejects.toMatchObject({ code: "job-not-found" });
    await expect(replayJob({ record, jobId: bound.jobId, store })).rejects.toMatchObject({ code: "sequences-unavailable" });
    await expect(replayJob({ record, jobId: unbound.jobId, store, datasets: [datasets[0]] })).rejects.toMatchObject({ code: "sequences-unavailable" });
    const retokenizedOtherwise = allSequences.map((s) => ({ ...s, scoreFrom: s.scoreFrom + 1 }));
    await expect(replayJob({ record, jobId: bound.jobId, store, sequences: retokenizedOtherwise })).rejects.toMatchObject({ code: "sequences-mismatch" });
    const otherBase = join(dir, "other-base.gguf");
    await writeFile(otherBase, modelToGguf(createRandomModel({ seed: "other", tensorType: "F32", tokenizer: fixtureTokenizer(), config: model.config })));
    await expect(replayJob({ record, jobId: bound.jobId, store, baseModelPath: otherBase, datasets })).rejects.toMatchObject({ code: "base-mismatch" });
  });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("replay-job CLI", () => {
  it("prints a reproduced job's summary and exits 0; a tampered record exits 1 with the mismatch named", async () => {
    const recordFile = join(dir, "pool-record.json");
    await writeFile(recordFile, JSON.stringify(record));
    const ok = await runCli(["--record", recordFile, "--job", bound.jobId, "--store", store.dir, "--base", basePath, "--data", dataFiles[0], "--data", dataFiles[1]]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`job ${bound.jobId}`);
    expect(ok.stdout).toContain("proven by the job's sequencesHash");
    expect(ok.stdout.trimEnd().split("\n").at(-1)).toBe("REPRODUCED");

    const tamperedFile = join(dir, "tampered-record.json");
    await writeFile(tamperedFile, JSON.stringify(tamperedRecord(bound.jobId, (r) => void (r.outcome.adapterHash = flip(r.outcome.adapterHash)))));
    const bad = await runCli(["--record", tamperedFile, "--job", bound.jobId, "--store", store.dir, "--base", basePath, "--data", dataFiles[0]]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/adapter hash {2}0x[0-9a-f]{64} {2}MISMATCH/);
    expect(bad.stdout.trimEnd().split("\n").at(-1)).toBe("NOT REPRODUCED");
  });

  it("takes an attribution log as the record and fetches its contributions from the store by root", async () => {
    const roots = [];
    for (const bytes of datasets) roots.push((await store.put(bytes)).root);
    const logFile = join(dir, "attribution-log.json");
    await writeFile(logFile, JSON.stringify({ version: "x", contributions: roots.map((root, dataId) => ({ dataId, root })), compute: { jobs: record } }));
    const out = await runCli(["--record", logFile, "--job", unbound.jobId, "--store", store.dir, "--json"]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ reproduced: true, sequences: { source: "re-tokenized", bound: false, count: 5 } });
  });

  it("opens the log's sealed contributions with --contribution-key, for the chain, Forge and contributor the log names", async () => {
    const enclaveKey = await generateHpkeKeyPair();
    const forge = `0x${"f0".repeat(20)}` as Hex;
    const contributors = [`0x${"a1".repeat(20)}`, `0x${"b2".repeat(20)}`] as Hex[];
    const entries = [];
    for (const [i, bytes] of datasets.entries()) {
      const binding = { chainId: 31337, forge, contributor: contributors[i] };
      const sealed = (await sealContribution({ plaintext: bytes, recipientPublicKey: enclaveKey.publicKey, binding })).bytes;
      entries.push({ dataId: i, contributor: contributors[i], root: (await store.put(sealed)).root });
    }
    const logFile = join(dir, "sealed-attribution-log.json");
    await writeFile(logFile, JSON.stringify({ version: "x", chainId: 31337, forge, contributions: entries, compute: { jobs: record } }));
    const keyFile = join(dir, "enclave-hpke.key");
    await writeFile(keyFile, `${Buffer.from(enclaveKey.privateKey).toString("hex")}\n`);
    const withKey = await runCli(["--record", logFile, "--job", unbound.jobId, "--store", store.dir, "--contribution-key", keyFile, "--json"]);
    expect(withKey.stderr).toBe("");
    expect(JSON.parse(withKey.stdout)).toMatchObject({ reproduced: true, sequences: { source: "re-tokenized", count: 5 } });
    // Without the key the envelopes stay closed and the job cannot be replayed from them.
    const withoutKey = await runCli(["--record", logFile, "--job", unbound.jobId, "--store", store.dir]);
    expect(withoutKey.code).toBe(3);
  });

  it("exits 2 on bad usage and 3 when the job cannot be replayed", async () => {
    const usage = await runCli(["--job", bound.jobId]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing --record, --store");
    const recordFile = join(dir, "pool-record-3.json");
    await writeFile(recordFile, JSON.stringify(record));
    const noData = await runCli(["--record", recordFile, "--job", bound.jobId, "--store", store.dir]);
    expect(noData.code).toBe(3);
    expect(noData.stderr).toContain("pass the job's data contribution files (--data)");
  });
});
