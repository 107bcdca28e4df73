/**
 * Compute-pool transport benchmark (issue 6, point 5), every figure measured in this run:
 * jobs/s through NATS JetStream (nats-server started here in a temp dir, workers on their own
 * authenticated connections) against the in-process transport, with the same trainer, workers and
 * jobs, verification `none` (so only worker runs are timed). Run:
 *
 *   node --import tsx scripts/bench-pool-transport.ts [--jobs 24] [--workers 3] [--steps 20] [--examples 8] [--hidden 32] [--reps 2]
 *
 * Both transports run in this one process (NATS workers share its event loop like in-process
 * workers do), so the ratio isolates the transport: publish, JetStream storage, pull, ack,
 * result publish and the coordinator's result read. Needs `nats-server` on PATH.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import type { Hex } from "viem";
import { createComputePool } from "../coordinator/src/compute/createComputePool.js";
import { createInProcessWorker } from "../coordinator/src/compute/createInProcessWorker.js";
import { createReexecutor } from "../coordinator/src/compute/createReexecutor.js";
import { ed25519PublicKeyOf } from "../coordinator/src/compute/ed25519Keys.js";
import { connectNatsWorker } from "../coordinator/src/compute/nats/connectNatsWorker.js";
import { createNatsWorkerClient } from "../coordinator/src/compute/nats/createNatsWorkerClient.js";
import { runNatsWorker } from "../coordinator/src/compute/nats/runNatsWorker.js";
import { startNatsServer } from "../coordinator/src/compute/nats/startNatsServer.js";
import { planTrainingJob } from "../coordinator/src/compute/planTrainingJob.js";
import type { ComputeWorker, ScoredSequence, TrainingJob } from "../coordinator/src/compute/types.js";
import { createRandomModel } from "../coordinator/src/eval/model/createRandomModel.js";
import { modelToGguf } from "../coordinator/src/eval/model/modelToGguf.js";
import { createLocalContentStore } from "../coordinator/src/storage/createLocalContentStore.js";
import { createPrng } from "../coordinator/src/util/prng.js";

const { values: opts } = parseArgs({
  options: {
    jobs: { type: "string", default: "24" },
    workers: { type: "string", default: "3" },
    steps: { type: "string", default: "20" },
    examples: { type: "string", default: "8" },
    hidden: { type: "string", default: "32" },
    reps: { type: "string", default: "2" },
  },
});
const N_JOBS = Number(opts.jobs);
const N_WORKERS = Number(opts.workers);
const STEPS = Number(opts.steps);
const EXAMPLES = Number(opts.examples);
const HIDDEN = Number(opts.hidden);
const REPS = Number(opts.reps);
const FORGE = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const VOCAB = 64;

const tokens = Array.from({ length: VOCAB - 3 }, (_, i) => `t${i}`);
tokens.push("<|endoftext|>", "<|im_start|>", "<|im_end|>");
const model = createRandomModel({
  seed: "bench-pool-transport",
  name: "bench-pool-transport",
  tensorType: "F32",
  tokenizer: { tokens, merges: [], special: { endOfText: VOCAB - 3, imStart: VOCAB - 2, imEnd: VOCAB - 1 }, pre: "qwen2" },
  config: { vocabSize: VOCAB, hiddenSize: HIDDEN, numLayers: 2, intermediateSize: HIDDEN * 2, numHeads: 4, numKvHeads: 2, contextLength: 64, rmsNormEps: 1e-6, ropeTheta: 10000, tiedEmbeddings: false },
});

const dir = await mkdtemp(join(tmpdir(), "bench-pool-transport-"));
try {
  const store = await createLocalContentStore({ dir: join(dir, "store") });
  const baseModelRoot = (await store.put(modelToGguf(model))).root;
  const reexecute = createReexecutor({ store, model, baseModelRoot });
  const keys = Array.from({ length: N_WORKERS }, (_, i) => `0x${(0x61 + i).toString(16).repeat(32)}` as Hex);

  /** `count` jobs, distinct per rep (fresh ids, so nothing is answered from an earlier result). */
  function jobsFor(rep: string): { job: TrainingJob; sequences: ScoredSequence[] }[] {
    return Array.from({ length: N_JOBS }, (_, j) => {
      const prng = createPrng(`bench-pool-transport/${rep}/${j}`);
      const sequences = Array.from({ length: EXAMPLES }, (_, i) => ({
        id: `0x${(i + 1).toString(16).padStart(8, "0")}${j.toString(16).padStart(56, "0")}`,
        tokens: Array.from({ length: 16 + prng.nextInt(24) }, () => prng.nextInt(VOCAB - 3)),
        scoreFrom: 4,
      }));
      const hyper = { rank: 4, alpha: 8, targets: ["attn_q" as const, "attn_v" as const, "ffn_down" as const], learningRate: 1e-2, weightDecay: 0, betas: [0.9, 0.999] as [number, number], eps: 1e-8, batchSize: 4, steps: STEPS, seed: `${rep}/${j}` };
      return { job: planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: sequences.map((s) => s.id), hyper, sequences }), sequences };
    });
  }

  async function timePool(workers: ComputeWorker[], jobs: { job: TrainingJob; sequences: ScoredSequence[] }[]): Promise<{ seconds: number; hashes: string[] }> {
    const pool = createComputePool({ workers, publicSeed: "0xbench", verification: { policy: "none" }, reexecute, store, workerTimeoutMs: 600_000 });
    const started = process.hrtime.bigint();
    const outs = await Promise.all(jobs.map(({ job, sequences }) => pool.train(job, sequences)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (outs.some((o) => o.computeId === null)) throw new Error("a job fell back to the coordinator; the figures would not be transport figures");
    return { seconds, hashes: outs.map((o) => o.adapterHash) };
  }

  const inProcess = () => keys.map((k, i) => createInProcessWorker({ computeId: i, ed25519PrivateKey: k, model, baseModelRoot, store }));

  // NATS: a server with a coordinator user and one user per worker, workers on their own connections.
  const coordinator = { role: "coordinator" as const, user: "coordinator", password: "bench-coordinator-token-0123456789" };
  const workerUsers = keys.map((k, i) => ({ role: "worker" as const, publicKey: ed25519PublicKeyOf(k), password: `bench-worker-${i}-token-0123456789` }));
  const server = await startNatsServer({ dir: join(dir, "nats"), users: [coordinator, ...workerUsers] });
  const nc = await connect({ servers: server.url, user: coordinator.user, pass: coordinator.password });
  const controller = new AbortController();
  const loops: Promise<unknown>[] = [];
  const workerConnections = [];
  const inProcessWorkers = inProcess();
  for (const [i, u] of workerUsers.entries()) {
    const { nc: wnc } = await connectNatsWorker({ url: server.url, publicKey: u.publicKey, token: u.password });
    workerConnections.push(wnc);
    loops.push(runNatsWorker({ nc: wnc, forge: FORGE, publicKey: u.publicKey, ed25519PrivateKey: keys[i], workerFor: () => inProcessWorkers[i], signal: controller.signal, pullExpiresMs: 1_000 }));
  }
  const natsClients = workerUsers.map((u, i) => createNatsWorkerClient({ nc, computeId: i, publicKey: u.publicKey, timeoutMs: 600_000, pollIntervalMs: 1_000 }));

  // Warm-up (JIT, consumers created, store directories), not timed.
  await timePool(inProcess(), jobsFor("warmup-a").slice(0, N_WORKERS));
  await timePool(natsClients, jobsFor("warmup-b").slice(0, N_WORKERS));

  const rows: { rep: number; inProcess: number; nats: number }[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const jobsA = jobsFor(`rep-${rep}-a`);
    const jobsB = jobsFor(`rep-${rep}-b`);
    // Alternate the order so drift (other load on the machine) does not favour one side.
    let local, through;
    if (rep % 2 === 0) {
      local = await timePool(inProcess(), jobsA);
      through = await timePool(natsClients, jobsB);
    } else {
      through = await timePool(natsClients, jobsA);
      local = await timePool(inProcess(), jobsB);
    }
    rows.push({ rep, inProcess: N_JOBS / local.seconds, nats: N_JOBS / through.seconds });
  }
  // Same jobs give the same adapters over either transport.
  const check = jobsFor("check").slice(0, N_WORKERS * 2);
  const x = await timePool(inProcess(), check);
  const y = await timePool(natsClients, check);
  const sameAdapters = JSON.stringify(x.hashes) === JSON.stringify(y.hashes);

  controller.abort();
  await Promise.allSettled(loops);
  for (const c of workerConnections) await c.close();
  await nc.close();
  await server.stop();

  const mean = (v: number[]) => v.reduce((s, n) => s + n, 0) / v.length;
  const inProc = mean(rows.map((r) => r.inProcess));
  const nats = mean(rows.map((r) => r.nats));
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`jobs per rep ${N_JOBS}, workers ${N_WORKERS}, steps/job ${STEPS}, examples/job ${EXAMPLES}, model hidden ${HIDDEN} x 2 layers, reps ${REPS}, verification none`);
  for (const r of rows) console.log(`rep ${r.rep}: in-process ${r.inProcess.toFixed(2)} jobs/s, NATS ${r.nats.toFixed(2)} jobs/s`);
  console.log(`mean: in-process ${inProc.toFixed(2)} jobs/s (${(1000 / inProc).toFixed(1)} ms/job), NATS ${nats.toFixed(2)} jobs/s (${(1000 / nats).toFixed(1)} ms/job)`);
  console.log(`overhead ratio (in-process / NATS throughput): ${(inProc / nats).toFixed(3)}; NATS adds ${(1000 / nats - 1000 / inProc).toFixed(1)} ms per job`);
  console.log(`same adapters through both transports: ${sameAdapters}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
