import { describe, expect, it } from "vitest";
import { DEFAULT_IN_RUN_SETTINGS } from "../../../coordinator/src/eval/attribution/inRunTypes.js";
import { createInRunRunner } from "../../../coordinator/src/eval/attribution/createInRunRunner.js";
import { createInProcessInRunWorker } from "../../../coordinator/src/compute/inRun/createInProcessInRunWorker.js";
import { createInRunFeaturePool } from "../../../coordinator/src/compute/inRun/createInRunFeaturePool.js";
import { checkInRunResult } from "../../../coordinator/src/compute/inRun/checkInRunResult.js";
import { hashInRunFeatures } from "../../../coordinator/src/compute/inRun/hashInRunFeatures.js";
import { signInRunResult } from "../../../coordinator/src/compute/inRun/inRunResultMessage.js";
import { planInRunJob } from "../../../coordinator/src/compute/inRun/planInRunJob.js";
import { inRunJobSchema } from "../../../coordinator/src/compute/schemas.js";
import type { InRunWorker } from "../../../coordinator/src/compute/inRun/types.js";
import { ed25519PublicKeyOf } from "../../../coordinator/src/compute/ed25519Keys.js";
import { FORGE, exampleSequences, hyper, tinyBase } from "./computeFixtures.js";

const BASE_ROOT = `0x${"ab".repeat(32)}` as const;
const model = tinyBase("in-run");
const key = (i: number) => `0x${(i + 1).toString(16).padStart(2, "0").repeat(32)}` as const;
const honest = (i: number) => createInProcessInRunWorker({ computeId: i, ed25519PrivateKey: key(i), model });

/** A worker that nudges one projected feature by one ulp and signs the result honestly with its own key. */
function tampering(i: number): InRunWorker {
  const inner = honest(i);
  return {
    computeId: i,
    publicKey: inner.publicKey,
    async runInRun(job, sequences, options) {
      const r = await inner.runInRun(job, sequences, options);
      const f = r.checkpoints[1].features[0];
      f[0] = f[0] + Math.abs(f[0]) * Number.EPSILON * 2 || Number.MIN_VALUE;
      const { signature: _s, ...unsigned } = r;
      return signInRunResult({ ...unsigned, featuresHash: hashInRunFeatures(r.paramNames, r.checkpoints) }, key(i));
    },
  };
}

const { hashes, sequences } = exampleSequences("in-run", 6);
const examples = new Map(sequences.map((s) => [s.id, s]));
const holdout = exampleSequences("holdout", 3).sequences;
const { seed: _seed, ...hyperNoSeed } = hyper();
const SETTINGS = { checkpoints: 2, projectionDim: 64, projectionSeed: "pool", preconditioner: "adam" as const, calibration: { samples: 0, seed: 1 } };
const players = [hashes.slice(0, 2), hashes.slice(2, 4), hashes.slice(4)];

describe("in-run feature jobs on untrusted workers", () => {
  it("returns features that are bit-identical across workers and give the coordinator's own values", async () => {
    const pool = createInRunFeaturePool({ workers: [honest(0), honest(1)], publicSeed: "0x01", forge: FORGE, baseModelRoot: BASE_ROOT, model });
    const viaWorkers = await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed, features: pool.features })(players, 7, SETTINGS);
    const local = await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed })(players, 7, SETTINGS);
    expect(viaWorkers.values).toEqual(local.values);
    viaWorkers.values.forEach((v, i) => expect(Object.is(v.value, local.values[i].value)).toBe(true));
    const [job] = pool.record();
    expect(job.audited).toBe(true);
    expect(job.attempts.map((a) => a.outcome)).toEqual(["accepted", "accepted"]);
    expect(job.attempts[0].featuresHash).toBe(job.attempts[1].featuresHash);
    expect(job.reexecuted).toBe(false);
    expect(pool.faulty()).toEqual([]);
  });

  it("carries the default settings (each example's own AdamW step, every example at every checkpoint) to the workers, bit for bit", async () => {
    const defaults = { ...SETTINGS, preconditioner: DEFAULT_IN_RUN_SETTINGS.preconditioner, exampleWeights: DEFAULT_IN_RUN_SETTINGS.exampleWeights };
    expect(defaults).toMatchObject({ preconditioner: "sign", exampleWeights: "uniform" });
    const pool = createInRunFeaturePool({ workers: [honest(0), honest(1)], publicSeed: "0x04", forge: FORGE, baseModelRoot: BASE_ROOT, model });
    const viaWorkers = await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed, features: pool.features })(players, 7, defaults);
    const local = await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed })(players, 7, defaults);
    viaWorkers.values.forEach((v, i) => expect(Object.is(v.value, local.values[i].value)).toBe(true));
    const [job] = pool.record();
    expect(job.attempts.map((a) => a.outcome)).toEqual(["accepted", "accepted"]);
    // Both settings travel in the job (the transports parse it with inRunJobSchema) and in its id.
    const planned = planInRunJob({ forge: FORGE, baseModelRoot: BASE_ROOT, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 1, projection: { seed: "x", dim: 16 }, preconditioner: "sign", exampleWeights: "uniform" });
    expect(inRunJobSchema.parse(planned)).toMatchObject({ preconditioner: "sign", exampleWeights: "uniform", jobId: planned.jobId });
    expect(planInRunJob({ forge: FORGE, baseModelRoot: BASE_ROOT, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 1, projection: { seed: "x", dim: 16 }, preconditioner: "sign" }).jobId).not.toBe(planned.jobId);
    // The old defaults give other values (the hash of its fields) differs from the old defaults' job.
    const older = await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed })(players, 7, SETTINGS);
    expect(older.values.map((v) => v.value)).not.toEqual(local.values.map((v) => v.value));
  });

  it("catches a worker whose features differ by one ulp, uses the honest features and marks it faulty", async () => {
    const pool = createInRunFeaturePool({ workers: [tampering(0), honest(1)], publicSeed: "0x02", forge: FORGE, baseModelRoot: BASE_ROOT, model });
    const r = await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed, features: pool.features })(players, 7, SETTINGS);
    const local = await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed })(players, 7, SETTINGS);
    expect(r.values).toEqual(local.values);
    const [job] = pool.record();
    expect(job.reexecuted).toBe(true);
    expect(job.attempts.find((a) => a.computeId === 0)?.outcome).toBe("outvoted");
    expect(job.accepted.computeId).toBe(1);
    expect(pool.faulty()).toEqual([0]);
  });

  it("rejects features that do not hash to the signed featuresHash, and checkpoint parameters that do not hash to their stateHash", async () => {
    const job = planInRunJob({ forge: FORGE, baseModelRoot: BASE_ROOT, exampleHashes: hashes, hyper: hyper(), sequences, checkpointEvery: 1, projection: { seed: "x", dim: 16 }, preconditioner: "adam" });
    const worker = honest(3);
    const result = await worker.runInRun(job, sequences);
    const check = (r: typeof result) => checkInRunResult({ job, sequences, result: r, computeId: 3, publicKey: ed25519PublicKeyOf(key(3)) });
    expect(check(result)).toEqual({ ok: true });
    const swapped = { ...result, checkpoints: result.checkpoints.map((c, i) => (i === 1 ? { ...c, features: c.features.map((f, k) => (k === 0 ? f.map((x) => -x) : f)) } : c)) };
    expect(check(swapped)).toMatchObject({ ok: false, reason: "features-hash-mismatch" });
    const moved = { ...result, checkpoints: result.checkpoints.map((c, i) => (i === 2 ? { ...c, values: c.values.map((v, k) => (k === 0 ? v.map((x) => x * 2) : v)) } : c)) };
    expect(check(moved)).toMatchObject({ ok: false, reason: "state-hash-mismatch" });
    expect(check({ ...result, trainedTokens: result.trainedTokens + 1 })).toMatchObject({ ok: false, reason: "bad-signature" });
    expect(checkInRunResult({ job, sequences, result, computeId: 3, publicKey: ed25519PublicKeyOf(key(4)) })).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("never hands the holdout to a worker: the job carries only training examples", async () => {
    const seen: unknown[] = [];
    const spy: InRunWorker = { ...honest(5), runInRun: async (job, seqs, o) => (seen.push(job, seqs), honest(5).runInRun(job, seqs, o)) };
    const pool = createInRunFeaturePool({ workers: [spy], publicSeed: "0x03", forge: FORGE, baseModelRoot: BASE_ROOT, model, verification: { policy: "none" } });
    await createInRunRunner({ model, examples, holdout, hyper: hyperNoSeed, features: pool.features })(players, 7, SETTINGS);
    const text = JSON.stringify(seen);
    for (const h of holdout) expect(text).not.toContain(JSON.stringify(h.tokens));
    expect(pool.record()[0].attempts).toHaveLength(1);
  });
});
