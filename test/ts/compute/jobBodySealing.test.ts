import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { x25519 } from "@noble/curves/ed25519";
import { afterAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { createQueueWorkerClient } from "../../../coordinator/src/compute/fileQueue/createQueueWorkerClient.js";
import { queuePaths } from "../../../coordinator/src/compute/fileQueue/queuePaths.js";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { JobInputError } from "../../../coordinator/src/compute/errors.js";
import { openJobBody } from "../../../coordinator/src/compute/openJobBody.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { sealJobBody } from "../../../coordinator/src/compute/sealJobBody.js";
import { workerHpkePrivateKey, workerHpkePublicKey } from "../../../coordinator/src/compute/workerHpkeKeys.js";
import { exampleSequences, FORGE, hyper } from "./computeFixtures.js";

const KEY_A = `0x${"a1".repeat(32)}` as Hex;
const KEY_B = `0x${"b2".repeat(32)}` as Hex;
const PUB_A = ed25519PublicKeyOf(KEY_A);
const BASE = `0x${"0b".repeat(32)}` as Hex;

function job(seed: string) {
  const { hashes, sequences } = exampleSequences(seed, 3);
  return { job: planTrainingJob({ forge: FORGE, baseModelRoot: BASE, exampleHashes: hashes, hyper: hyper(seed), sequences }), sequences };
}

describe("training data handed to workers sealed to each worker's key", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("derives the worker's X25519 key pair from its Ed25519 key (no second key to register)", () => {
    expect(x25519.getPublicKey(workerHpkePrivateKey(KEY_A))).toEqual(workerHpkePublicKey(PUB_A));
    expect(x25519.getPublicKey(workerHpkePrivateKey(KEY_B))).not.toEqual(workerHpkePublicKey(PUB_A));
  });

  it("opens only for the worker, the job and the Forge it was sealed for", async () => {
    const { job: j, sequences } = job("seal");
    const body = { job: j, sequences };
    const sealedBody = await sealJobBody(body, { forge: FORGE, jobId: j.jobId, workerPublicKey: PUB_A });
    const to = { forge: FORGE, jobId: j.jobId, workerPublicKey: PUB_A };
    expect(await openJobBody({ ...to, sealedBody, ed25519PrivateKey: KEY_A })).toEqual(JSON.parse(JSON.stringify(body)));
    // Another worker's key; another job id; another Forge: refused.
    await expect(openJobBody({ ...to, sealedBody, ed25519PrivateKey: KEY_B })).rejects.toBeInstanceOf(JobInputError);
    await expect(openJobBody({ ...to, jobId: job("other").job.jobId, sealedBody, ed25519PrivateKey: KEY_A })).rejects.toBeInstanceOf(JobInputError);
    await expect(openJobBody({ ...to, forge: `0x${"99".repeat(20)}`, sealedBody, ed25519PrivateKey: KEY_A })).rejects.toBeInstanceOf(JobInputError);
  });

  it("writes job files that hold no training tokens in the clear, only the sealed body", async () => {
    const queueDir = await mkdtemp(path.join(tmpdir(), "ingotforge-sealed-queue-"));
    dirs.push(queueDir);
    const { job: j, sequences } = job("queue");
    const client = createQueueWorkerClient({ queueDir, computeId: 0, publicKey: PUB_A, timeoutMs: 200, pollIntervalMs: 20 });
    const controller = new AbortController();
    const running = client.run(j, sequences, { signal: controller.signal }).catch(() => undefined);
    const jobsDir = queuePaths(queueDir, FORGE).jobs;
    let names: string[] = [];
    for (let i = 0; i < 50 && names.length === 0; i++) {
      names = await readdir(jobsDir).catch(() => []);
      if (names.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    const text = await readFile(path.join(jobsDir, names[0]), "utf8");
    controller.abort();
    await running;
    const file = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(file).sort()).toEqual(["computeId", "jobId", "kind", "sealedBody", "workerPublicKey"]);
    expect(text).not.toContain(String(sequences[0].tokens.slice(0, 4).join(",")));
    const opened = (await openJobBody({ forge: FORGE, jobId: j.jobId, workerPublicKey: PUB_A, sealedBody: file.sealedBody as string, ed25519PrivateKey: KEY_A })) as { sequences: { tokens: number[] }[] };
    expect(opened.sequences.map((s) => s.tokens)).toEqual(sequences.map((s) => [...s.tokens]));
  });
});
