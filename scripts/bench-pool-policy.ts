/**
 * Compute-pool verification benchmark (issue 6, point 4), every figure counted in this run from
 * pool.record(). Run: `npx tsx scripts/bench-pool-policy.ts [--seeds 50] [--jobs 8] [--fraction 0.1,0.25]`.
 *
 * For each verification policy (none, sample at each --fraction, full; and full verified by the
 * coordinator's re-execution, the pool before duplication, for comparison) and each pool of 5 in-process
 * workers — all honest; one returning a perturbed adapter; one perturbing plus one withholding
 * (reported as a transport timeout) — it runs --jobs tiny jobs under --seeds public seeds and prints:
 * - work factor: executions that returned a result (worker runs plus coordinator re-executions) / jobs;
 * - dispatch factor: every dispatch, timeouts included, plus re-executions / jobs;
 * - caught: share of seeds whose cheater ended faulty; wrong: accepted adapters that differ from the
 *   deterministic reference (each is a cheater's unaudited job, flagged suspect once it is caught).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Hex } from "viem";
import { createComputePool, type ComputePoolRecord, type VerifyBy } from "../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../coordinator/src/compute/createInProcessWorker.js";
import { createReexecutor, type Reexecute } from "../coordinator/src/compute/createReexecutor.js";
import { ed25519PublicKeyOf } from "../coordinator/src/compute/ed25519Keys.js";
import { WorkerTimeoutError } from "../coordinator/src/compute/errors.js";
import type { VerificationConfig } from "../coordinator/src/compute/isJobAudited.js";
import { planTrainingJob } from "../coordinator/src/compute/planTrainingJob.js";
import { signJobResult } from "../coordinator/src/compute/signJobResult.js";
import type { ComputeWorker, ScoredSequence, TrainingJob, TrainingJobResult } from "../coordinator/src/compute/types.js";
import { createRandomModel } from "../coordinator/src/eval/model/createRandomModel.js";
import { ggufToLoraAdapter } from "../coordinator/src/eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../coordinator/src/eval/model/loraAdapterToGguf.js";
import { modelToGguf } from "../coordinator/src/eval/model/modelToGguf.js";
import { hashAdapter } from "../coordinator/src/eval/train/hashAdapter.js";
import { createLocalContentStore } from "../coordinator/src/storage/createLocalContentStore.js";
import { createPrng } from "../coordinator/src/util/prng.js";

const { values: opts } = parseArgs({
  options: {
    seeds: { type: "string", default: "50" },
    jobs: { type: "string", default: "8" },
    fraction: { type: "string", default: "0.1,0.25" },
  },
});
const SEEDS = Number(opts.seeds);
const JOBS = Number(opts.jobs);
const FRACTIONS = opts.fraction!.split(",").map(Number);
if (!(SEEDS > 0 && JOBS > 0 && FRACTIONS.every((f) => f >= 0 && f <= 1))) throw new Error("--seeds and --jobs must be positive, --fraction values in [0, 1]");

const FORGE = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const KEYS = [0, 1, 2, 3, 4].map((i) => `0x${(i + 33).toString(16).padStart(2, "0").repeat(32)}` as Hex);
const vocab = 40;
const tokens = [...Array.from({ length: vocab - 3 }, (_, i) => `t${i}`), "<|endoftext|>", "<|im_start|>", "<|im_end|>"];
const model = createRandomModel({
  seed: "bench-pool-policy",
  name: "bench-pool-policy",
  tensorType: "F32",
  tokenizer: { tokens, merges: [], special: { endOfText: vocab - 3, imStart: vocab - 2, imEnd: vocab - 1 }, pre: "qwen2" },
  config: { vocabSize: vocab, hiddenSize: 16, numLayers: 1, intermediateSize: 24, numHeads: 2, numKvHeads: 1, contextLength: 24, rmsNormEps: 1e-6, ropeTheta: 10000, tiedEmbeddings: false },
});

const dir = await mkdtemp(join(tmpdir(), "bench-pool-policy-"));
try {
  const store = await createLocalContentStore({ dir });
  const baseModelRoot = (await store.put(modelToGguf(model))).root;
  const inner = createReexecutor({ store, model, baseModelRoot });
  const refMemo = new Map<Hex, ReturnType<Reexecute>>();
  const reexecute: Reexecute = (j, s, o) => {
    if (!refMemo.has(j.jobId)) refMemo.set(j.jobId, inner(j, s, o));
    return refMemo.get(j.jobId)!;
  };

  const jobs = Array.from({ length: JOBS }, (_, i) => {
    const prng = createPrng(`bench-pool-policy/${i}`);
    const sequences: ScoredSequence[] = Array.from({ length: 2 }, (_, k) => ({ id: `0x${(i * 2 + k + 1).toString(16).padStart(64, "0")}`, tokens: Array.from({ length: 8 + prng.nextInt(10) }, () => prng.nextInt(37)), scoreFrom: 3 }));
    const job = planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: sequences.map((s) => s.id), hyper: { rank: 2, alpha: 4, targets: ["attn_q", "attn_v"], learningRate: 1e-2, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, batchSize: 2, steps: 1, seed: i }, sequences });
    return { job, sequences };
  });
  const reference = new Map<Hex, Hex>();
  for (const { job, sequences } of jobs) reference.set(job.jobId, (await reexecute(job, sequences)).adapterHash);

  // Workers memoize per job (signing is deterministic, so the pool sees the same bytes it would anyway).
  const memo = new Map<string, Promise<TrainingJobResult>>();
  const honest = (computeId: number): ComputeWorker => {
    const w = createInProcessWorker({ computeId, ed25519PrivateKey: KEYS[computeId], model, baseModelRoot, store });
    return { computeId, publicKey: w.publicKey, run: (j, s) => memo.get(`h${computeId}/${j.jobId}`) ?? (memo.set(`h${computeId}/${j.jobId}`, w.run(j, s)), memo.get(`h${computeId}/${j.jobId}`)!) };
  };
  const perturbing = (computeId: number): ComputeWorker => {
    const h = honest(computeId);
    const cheat = async (j: TrainingJob, s: readonly ScoredSequence[]) => {
      const r = await h.run(j, s);
      const adapter = ggufToLoraAdapter(await store.get(r.adapterRoot));
      adapter.pairs[0].b[0] += 1e-3;
      const { root } = await store.put(loraAdapterToGguf(adapter, { baseModelName: j.baseModelRoot, name: `ingotforge-job-${j.jobId.slice(2)}` }));
      return signJobResult({ result: { ...r, adapterRoot: root, adapterHash: `0x${hashAdapter(adapter)}` }, ed25519PrivateKey: KEYS[computeId] });
    };
    return { computeId, publicKey: h.publicKey, run: (j, s) => memo.get(`p${computeId}/${j.jobId}`) ?? (memo.set(`p${computeId}/${j.jobId}`, cheat(j, s)), memo.get(`p${computeId}/${j.jobId}`)!) };
  };
  const withholding = (computeId: number): ComputeWorker => ({ computeId, publicKey: ed25519PublicKeyOf(KEYS[computeId]), run: async (j) => Promise.reject(new WorkerTimeoutError(computeId, j.jobId, 60_000)) });

  const pools: { name: string; make: () => ComputeWorker[]; cheater?: number }[] = [
    { name: "5 honest", make: () => [0, 1, 2, 3, 4].map(honest) },
    { name: "4 honest + 1 cheater", make: () => [honest(0), honest(1), honest(2), honest(4), perturbing(3)], cheater: 3 },
    { name: "3 honest + cheater + withholder", make: () => [honest(0), honest(1), honest(2), perturbing(3), withholding(4)], cheater: 3 },
  ];
  const policies: { verification: VerificationConfig; verifyBy: VerifyBy }[] = [
    { verification: { policy: "none" }, verifyBy: "duplicate" },
    ...FRACTIONS.map((fraction) => ({ verification: { policy: "sample" as const, fraction }, verifyBy: "duplicate" as const })),
    { verification: { policy: "full" }, verifyBy: "duplicate" },
    // The pool before duplication, for comparison: the coordinator re-executes every audited job.
    { verification: { policy: "full" }, verifyBy: "reexecution" },
  ];

  const count = (r: ComputePoolRecord) => {
    let executions = 0;
    let dispatches = 0;
    for (const j of r.jobs) {
      const re = j.reexecution ? 1 : 0;
      executions += j.attempts.filter((a) => a.outcome === "accepted" || a.outcome === "rejected").length + re;
      dispatches += j.attempts.length + re;
    }
    return { executions, dispatches };
  };

  console.log(`compute-pool verification work: ${SEEDS} seeds × ${JOBS} jobs per cell (tiny in-process jobs; counts from pool.record())`);
  console.log(["pool", "policy", "work factor", "dispatch factor", "coordinator runs/job", "cheater caught", "wrong accepted/job"].join(" | "));
  const started = Date.now();
  for (const p of pools) {
    for (const { verification, verifyBy } of policies) {
      let executions = 0;
      let dispatches = 0;
      let coordinatorRuns = 0;
      let caught = 0;
      let wrong = 0;
      for (let s = 0; s < SEEDS; s++) {
        const pool = createComputePool({ workers: p.make(), publicSeed: `0xbench${s}`, verification, verifyBy, reexecute, store });
        for (const { job, sequences } of jobs) await pool.train(job, sequences);
        const r = pool.record();
        const c = count(r);
        executions += c.executions;
        dispatches += c.dispatches;
        coordinatorRuns += r.jobs.filter((j) => j.reexecution).length;
        wrong += r.jobs.filter((j) => j.outcome.adapterHash !== reference.get(j.job.jobId)).length;
        if (p.cheater !== undefined && r.workers.find((w) => w.computeId === p.cheater)!.status === "faulty") caught++;
      }
      const n = SEEDS * JOBS;
      const name = (verification.policy === "sample" ? `sample ${verification.fraction}` : verification.policy) + (verifyBy === "reexecution" ? " (coordinator re-executes)" : "");
      console.log([p.name, name, (executions / n).toFixed(3), (dispatches / n).toFixed(3), (coordinatorRuns / n).toFixed(3), p.cheater === undefined ? "-" : `${((100 * caught) / SEEDS).toFixed(0)}%`, (wrong / n).toFixed(3)].join(" | "));
    }
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
