/**
 * Eval-engine benchmark (issue 3), every figure measured in this run. Run: `npx tsx scripts/bench-eval.ts`
 * (npm run bench:eval). Options: --help, --threads N (llama.cpp threads; else INGOTFORGE_THREADS, else all cores: run it on an idle machine), --seeds N
 * (training seeds of the 5-contributor run, default 1), --five-steps N (LoRA steps per training there,
 * default the demo's), --reps N (timing repetitions, default 3),
 * --skip-five, --skip-05b, --gpu cuda|auto (llama.cpp backend for the scoring figures; CPU default).
 *
 * 1. Teacher-forced scoring on the demo base model (holdout, exact mode) against the engine-only
 *    baseline (same contexts, batches and logits for every scored position, nothing read back)
 *    and node-llama-cpp's plain prompt evaluation (logits of the last position only).
 * 2. The same figure as a fraction of the CPU's fp32 arithmetic peak (estimate printed with its inputs).
 * 3. Trainer tokens/s (LoRA and pretraining) on the demo shape.
 * 4. A full marginal-contribution run for 5 contributors on the demo model (fresh cache: every
 *    coalition trained and scored): wall time, trainings, evaluations, values.
 * 5. Scoring tokens/s on a Qwen2.5-0.5B-shaped Q8_0 model with random weights written by the
 *    project's own tooling (deleted afterwards).
 */
import { cpus, loadavg, tmpdir } from "node:os";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { tokenizeExample } from "../coordinator/src/eval/dataset/tokenizeExample.js";
import { demoContributions } from "../coordinator/src/eval/demo/demoContributions.js";
import { ensureDemoBaseModel } from "../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { runAttribution } from "../coordinator/src/eval/demo/runAttribution.js";
import { DEMO_LORA_HYPER } from "../coordinator/src/eval/demo/demoLoraHyper.js";
import { createScoringEngine, type ScoringEngine } from "../coordinator/src/eval/engine/createScoringEngine.js";
import type { ScoredSequence } from "../coordinator/src/eval/engine/types.js";
import { createRandomModel } from "../coordinator/src/eval/model/createRandomModel.js";
import { ggufToModel } from "../coordinator/src/eval/model/ggufToModel.js";
import { modelToGguf } from "../coordinator/src/eval/model/modelToGguf.js";
import type { Qwen2Config } from "../coordinator/src/eval/model/types.js";
import { createTokenizer } from "../coordinator/src/eval/tokenizer/createTokenizer.js";
import { trainBpeTokenizer } from "../coordinator/src/eval/tokenizer/trainBpeTokenizer.js";
import { measureTrainingSpeed } from "../coordinator/src/eval/train/measureTrainingSpeed.js";
import { createPrng } from "../coordinator/src/util/prng.js";
import { resolveThreads } from "../coordinator/src/util/resolveThreads.js";

const BENCH_EVAL_USAGE = `usage: npm run bench:eval -- [--threads N] [--seeds N] [--five-steps N] [--reps N] [--skip-five] [--skip-05b] [--gpu cuda|auto]
  --threads N     llama.cpp threads (else INGOTFORGE_THREADS, else all cores: run it on an idle machine)
  --seeds N       training seeds of the 5-contributor run (default 1)
  --five-steps N  LoRA steps per training there (default the demo's)
  --reps N        timing repetitions (default 3)
  --skip-five     skip the 5-contributor marginal-contribution run
  --skip-05b      skip the Qwen2.5-0.5B-shaped scoring figure
  --gpu cuda|auto llama.cpp backend for the scoring figures (CPU by default)`;

const { values: opts } = parseArgs({
  options: {
    threads: { type: "string" }, seeds: { type: "string" }, reps: { type: "string" },
    "five-steps": { type: "string" }, "skip-five": { type: "boolean" }, "skip-05b": { type: "boolean" }, gpu: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (opts.help) {
  process.stdout.write(`${BENCH_EVAL_USAGE}\n`);
  process.exit(0);
}
const threadCount = resolveThreads({ flag: opts.threads, env: process.env, fallback: { threads: cpus().length, why: "a benchmark measures the whole CPU; run it on an idle machine" } });
const threads = threadCount.threads;
const reps = opts.reps ? Number(opts.reps) : 3;
const gpu = opts.gpu === "cuda" || opts.gpu === "auto" ? opts.gpu : false;
const log = (s = "") => process.stdout.write(`${s}\n`);
const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

// ---------------------------------------------------------------- machine and its peak
interface CpuPeak { model: string; cores: number; ghz: number; lanes: number; fmaUnits: number; flops: number; how: string }
function estimateCpuPeak(): CpuPeak {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? "").split(/\s+/));
  const mhz = [...info.matchAll(/^cpu MHz\s*:\s*([\d.]+)$/gm)].map((m) => Number(m[1]));
  const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? "unknown";
  const cores = cpus().length;
  const ghz = (mhz.length ? Math.max(...mhz) : 0) / 1000;
  // fp32 lanes per vector FMA: AVX-512 16, AVX2 8, SSE 4. Two FMA pipes per core (every x86 core
  // with AVX2+FMA since Haswell / Zen 2); an FMA counts 2 flops.
  const lanes = flags.has("avx512f") ? 16 : flags.has("avx2") ? 8 : 4;
  const fmaUnits = flags.has("fma") ? 2 : 1;
  const flops = cores * ghz * 1e9 * lanes * fmaUnits * 2;
  const how = `${cores} logical cores × ${ghz.toFixed(2)} GHz (/proc/cpuinfo "cpu MHz", max) × ${lanes} fp32 lanes (${lanes === 16 ? "avx512f" : lanes === 8 ? "avx2" : "sse"}) × ${fmaUnits} FMA pipes × 2 flops/FMA`;
  return { model, cores, ghz, lanes, fmaUnits, flops, how };
}

/** Matrix-multiply flops per token of a qwen2 forward pass at context position `pos` (2 per multiply-add). */
function forwardFlopsPerToken(c: Qwen2Config, pos: number, withOutput: boolean): number {
  const headDim = c.hiddenSize / c.numHeads;
  const kv = headDim * c.numKvHeads;
  const proj = c.hiddenSize * (c.hiddenSize + 2 * kv + c.hiddenSize) + 3 * c.hiddenSize * c.intermediateSize;
  const attention = 2 * c.numHeads * headDim * pos; // QKᵀ and AV over pos keys
  return 2 * (c.numLayers * (proj + attention) + (withOutput ? c.hiddenSize * c.vocabSize : 0));
}

/** Flops of evaluating `sequences`: every position's layers, the output layer only where logits are asked. */
function evaluationFlops(c: Qwen2Config, sequences: readonly ScoredSequence[], logitsAt: "scored" | "last"): number {
  let f = 0;
  for (const s of sequences) {
    const n = s.tokens.length - 1;
    for (let i = 0; i < n; i++) f += forwardFlopsPerToken(c, i + 1, logitsAt === "scored" ? i + 1 >= s.scoreFrom : i === n - 1);
  }
  return f;
}

/** Wall and process CPU milliseconds (llama.cpp's threads run in this process, so their CPU time counts). */
async function time<T>(run: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = await run();
  const d = process.cpuUsage(c);
  return { ms: performance.now() - t, cpuMs: (d.user + d.system) / 1000, value };
}

type Way = "scoring" | "baseline" | "prompt";
interface EngineFigures { wall: Record<Way, number>; cpu: Record<Way, number>; tokens: number; flopsScored: number; flopsLast: number }
/** Best of `reps` for each way of evaluating the same sequences (rotating the order, so no way always runs first). */
async function measureEngine(engine: ScoringEngine, sequences: ScoredSequence[], config: Qwen2Config): Promise<EngineFigures> {
  await engine.scoreSequences(sequences.slice(0, 1)); // warm-up: weights paged in, kernels chosen
  const wall: Record<Way, number> = { scoring: Infinity, baseline: Infinity, prompt: Infinity };
  const cpu: Record<Way, number> = { scoring: Infinity, baseline: Infinity, prompt: Infinity };
  const runs: Record<Way, () => Promise<unknown>> = {
    scoring: () => engine.scoreSequences(sequences),
    baseline: () => engine.evaluateWithoutReadback(sequences),
    prompt: () => engine.evaluatePrompts(sequences),
  };
  const order = Object.keys(runs) as Way[];
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < order.length; k++) {
      const which = order[(k + r) % order.length];
      const t = await time(runs[which]);
      wall[which] = Math.min(wall[which], t.ms);
      cpu[which] = Math.min(cpu[which], t.cpuMs);
    }
  }
  const tokens = sequences.reduce((a, s) => a + s.tokens.length, 0);
  return { wall, cpu, tokens, flopsScored: evaluationFlops(config, sequences, "scored"), flopsLast: evaluationFlops(config, sequences, "last") };
}

function printEngine(title: string, f: EngineFigures, peak: CpuPeak) {
  const rate = (ms: number) => fmt((f.tokens * 1000) / ms).padStart(9);
  log(title);
  log(`  (best of ${reps}; wall-clock rate, and rate per CPU second of this process — the steadier figure when other jobs share the cores)`);
  log(`  teacher-forced scoring      ${rate(f.wall.scoring)} tokens/s wall ${rate(f.cpu.scoring)} per CPU s  (${fmt(f.tokens)} tokens)`);
  log(`  engine-only baseline        ${rate(f.wall.baseline)} tokens/s wall ${rate(f.cpu.baseline)} per CPU s  → scoring / baseline = ${(f.wall.baseline / f.wall.scoring).toFixed(3)} wall, ${(f.cpu.baseline / f.cpu.scoring).toFixed(3)} CPU (target ≥ 0.8)`);
  log(`  plain prompt evaluation     ${rate(f.wall.prompt)} tokens/s wall ${rate(f.cpu.prompt)} per CPU s  → scoring / prompt   = ${(f.wall.prompt / f.wall.scoring).toFixed(3)} wall, ${(f.cpu.prompt / f.cpu.scoring).toFixed(3)} CPU (last-position logits only)`);
  const achieved = (f.flopsScored * 1000) / f.wall.scoring;
  const perCpu = (f.flopsScored * 1000) / f.cpu.scoring;
  if (!gpu) {
    log(
      `  arithmetic: ${(achieved / 1e9).toFixed(2)} GFLOP/s of matrix products while scoring (wall) = ${((100 * achieved) / peak.flops).toFixed(2)}% of the machine's ` +
        `${(peak.flops / 1e9).toFixed(0)} GFLOP/s fp32 peak; ${(perCpu / 1e9).toFixed(2)} GFLOP per CPU second = ${((100 * perCpu * peak.cores) / peak.flops).toFixed(2)}% of one core's peak`,
    );
  }
}

// ---------------------------------------------------------------- run
const peak = estimateCpuPeak();
const load0 = loadavg();
log(`IngotForge eval benchmark — ${new Date().toISOString()}`);
log(`CPU: ${peak.model}; peak estimate ${(peak.flops / 1e9).toFixed(1)} GFLOP/s fp32 = ${peak.how}`);
log(`load average at start: ${load0.map((x) => x.toFixed(2)).join(", ")} (other processes share these cores: figures are what this run got)`);
log(`llama.cpp: ${gpu ? `GPU backend ${gpu}` : "CPU"}, ${threads} threads, exact mode (F32 KV cache, flash attention off); ${threadCount.summary}`);
log();

const cpu0 = process.cpuUsage();
const demo = await ensureDemoBaseModel({ onProgress: (p) => p.phase === "pretrain" && p.step % 10 === 0 && log(`  (building the demo base model: step ${p.step}/${p.totalSteps})`) });
const demoConfig: Qwen2Config = { ...demo.manifest.spec.config, vocabSize: demo.manifest.spec.vocabSize };
const data = await demoContributions();
{
  const model = ggufToModel(new Uint8Array(readFileSync(demo.path)));
  const tok = createTokenizer(model.tokenizer);
  const holdout = data.holdout.map((e) => tokenizeExample(tok, e));
  const engine = await createScoringEngine({ modelPath: demo.path, mode: "exact", threads, gpu });
  try {
    const f = await measureEngine(engine, holdout, demoConfig);
    printEngine(`[1,2] demo base model (${demo.manifest.spec.baseType}, hidden ${demoConfig.hiddenSize}, ${demoConfig.numLayers} layers, vocab ${demoConfig.vocabSize}), holdout: ${holdout.length} sequences, best of ${reps}`, f, peak);
  } finally {
    await engine.dispose();
  }
}
log();

{
  const speed = measureTrainingSpeed({ config: demoConfig, sequenceLength: 256, batchSize: 4, steps: 2 });
  log(`[3] trainer (one JavaScript thread, float64), demo shape, random F32 weights, 2 steps × 4 sequences × 256 tokens:`);
  log(`  LoRA (rank 8, 7 projections)  ${fmt(speed.lora.tokensPerSecond).padStart(7)} tokens/s wall, ${fmt(speed.lora.tokensPerCpuSecond)} per CPU second`);
  log(`  full-parameter pretraining    ${fmt(speed.pretrain.tokensPerSecond).padStart(7)} tokens/s wall, ${fmt(speed.pretrain.tokensPerCpuSecond)} per CPU second`);
  const trainFlops = 3 * forwardFlopsPerToken(demoConfig, 128, true); // forward + backward ≈ 3× forward
  log(`  LoRA ≈ ${((trainFlops * speed.lora.tokensPerCpuSecond) / 1e9).toFixed(2)} GFLOP/s (fp64) on one core = ${((100 * trainFlops * speed.lora.tokensPerCpuSecond) / (peak.flops / peak.cores / 2)).toFixed(1)}% of one core's fp64 peak`);
}
log();

if (!opts["skip-five"]) {
  const five = await demoContributions({ scenario: "five" });
  const seeds = Array.from({ length: opts.seeds ? Number(opts.seeds) : 1 }, (_, i) => i + 1);
  const hyper = { ...DEMO_LORA_HYPER, steps: opts["five-steps"] ? Number(opts["five-steps"]) : DEMO_LORA_HYPER.steps };
  const cacheDir = await mkdtemp(join(tmpdir(), "ingotforge-bench-five-"));
  try {
    let trained = 0;
    const r = await runAttribution({
      modelPath: demo.path, holdout: five.holdout, contributions: five.contributions, trainingSeeds: seeds, cacheDir, threads, hyper,
      onProgress: (p) => {
        if (p.kind === "coalitions") log(`  coalition ${p.done}/${p.total} (${(performance.now() / 1000).toFixed(0)} s into the run)`);
        else if (p.step === p.totalSteps) trained++;
      },
    });
    log(`[4] marginal contribution, 5 contributors (alice, bob, carol, dave, control), exact Shapley, ${seeds.length} training seed(s), ${hyper.steps} LoRA steps × batch ${hyper.batchSize} per training, fresh cache:`);
    log(
      `  wall ${(r.wallMs / 1000).toFixed(1)} s; ${r.evaluations} coalitions (∅ included, free), ${r.adapters.trained} LoRA trainings (${trained} seen finishing), ` +
        `${(r.evaluations - 1) * seeds.length + 2} holdout evaluations on llama.cpp (${(r.evaluations - 1) * seeds.length} adapters, the base, the served adapter)`,
    );
    for (const c of r.contributions) log(`  ${c.id.padEnd(8)} ${c.status.padEnd(9)} value ${c.value >= 0 ? "+" : ""}${c.value.toFixed(5)} ± ${c.stdError.toFixed(5)}`);
    log(`  base perplexity ${r.base.perplexity.toFixed(3)}, served adapter (${r.tuned?.trainedOn.join("+") ?? "none"}) ${r.tuned?.perplexity.toFixed(3) ?? "-"}`);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
  log();
}

if (!opts["skip-05b"]) {
  const config: Qwen2Config = {
    vocabSize: 151936, hiddenSize: 896, numLayers: 24, intermediateSize: 4864, numHeads: 14, numKvHeads: 2,
    contextLength: 32768, rmsNormEps: 1e-6, ropeTheta: 1_000_000, tiedEmbeddings: true,
  };
  const dir = await mkdtemp(join(tmpdir(), "ingotforge-bench-05b-"));
  const path = join(dir, "qwen2.5-0.5b-shaped-q8_0.gguf");
  try {
    const t0 = performance.now();
    const tokenizer = trainBpeTokenizer({ corpus: readFileSync("data/demo/pretrain-corpus.txt", "utf8").slice(0, 4000), vocabSize: config.vocabSize, padToVocabSize: true });
    const model = createRandomModel({ seed: "bench-0.5b", config, tensorType: "Q8_0", tokenizer, distribution: "uniform", name: "qwen2.5-0.5b-shaped-random" });
    await writeFile(path, modelToGguf(model));
    log(`[5] Qwen2.5-0.5B-shaped model (random weights, Q8_0, tied embeddings, vocab ${config.vocabSize}) written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const prng = createPrng("bench-0.5b/tokens");
    const sequences: ScoredSequence[] = Array.from({ length: 4 }, (_, k) => ({ id: `s${k}`, tokens: Array.from({ length: 128 }, () => prng.nextInt(config.vocabSize - 3)), scoreFrom: 64 }));
    const engine = await createScoringEngine({ modelPath: path, mode: "exact", threads, gpu, contextSize: 512 });
    try {
      const f = await measureEngine(engine, sequences, config);
      printEngine(`  4 sequences × 128 tokens, second half scored, best of ${reps}:`, f, peak);
    } finally {
      await engine.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  log();
}
const cpu = process.cpuUsage(cpu0);
log(`done: this process used ${((cpu.user + cpu.system) / 1e6).toFixed(0)} CPU seconds; load average at end ${loadavg().map((x) => x.toFixed(2)).join(", ")}`);
