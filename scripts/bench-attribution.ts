/**
 * `npm run bench:attribution [-- --quick] [--max-n N] [--sizes 4,8,32,128,512] [--holdout N] [--msr-samples N] [--max-extra-work B|none] [--checkpoint-at end|start] [--preconditioner sign|adam|none] [--example-weights uniform|batch] [--agreement-forges 1..5] [--agreement-settings JSON] [--agreement-seeds 2,3,4] [--skip-agreement] [--skip-extras] [--cache DIR] [--json FILE]`
 *
 * Attribution methods on synthetic Forges built from data/demo, on the demo base model and the
 * project's own deterministic trainer (utilities scored with the trainer's float64 forward pass, so
 * no llama.cpp is needed): cost per method at n = 4, 8, 32, 128, 512 contributions, agreement of
 * in-run with exact Shapley at n = 6 on five Forges (A–E, below), over four in-run training seeds,
 * next to exact Shapley with itself across two seeds (and with MSR Banzhaf at n = 32), the gain from splitting a contribution across k wallets, the gain from chopping one example in two, and the shares
 * of an exact and a near copy.
 *
 * Synthetic Forge of n contributions (one example each; contribution i by i mod 10): 0–5 relevant
 * (alice/bob/carol/dave examples, cut to their first 256 tokens), 6–7 irrelevant (control), 8 an
 * exact copy of contribution i−8's example, 9 a near copy of it (a trailing space on the prompt).
 * Once a pool is used up its examples come back as variants (scripts/bench/variantExample.ts:
 * identifiers renamed, a round tag), distinct under the near-duplicate rule (Jaccard ≤ 0.75 for
 * every pair of rounds 0–4), so only the copies are dropped by de-duplication. In-run: the defaults
 * (DEFAULT_IN_RUN_SETTINGS: ≤ 4 checkpoints at their intervals' ends, each example's own AdamW step
 * weighed uniformly,
 * projection 16384, one seed, features + holdout gradients ≤ 2 trainings, the pass's own adapter
 * served; `--max-extra-work`, `--checkpoint-at`), projection seed "bench", no
 * calibration except its own row at n = 32. Training: the demo's LoRA settings with 2 epochs
 * instead of 16 steps (so every example is trained on, and a run grows with n).
 *
 * In-run's `trainings` (countInRunTrainings): its run, features and holdout gradients, plus the
 * served adapter's retraining on the contributions of positive value (0 when the pass's own run is
 * served, the default), in input tokens over one run of every de-duplicated contribution. The leave-one-out calibration is NOT in it (its own row).
 * Other methods: coalition trainings, each counted 1 whatever its size.
 */
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { attributeContributions, type AttributionMethod } from "../coordinator/src/eval/attribution/attributeContributions.js";
import { countInRunTrainings } from "../coordinator/src/eval/attribution/countInRunTrainings.js";
import { createInRunRunner } from "../coordinator/src/eval/attribution/createInRunRunner.js";
import { DEFAULT_IN_RUN_SETTINGS, type InRunSettings } from "../coordinator/src/eval/attribution/inRunTypes.js";
import { plannedRunTokens } from "../coordinator/src/eval/attribution/planInRunBudget.js";
import { servedExampleHashes } from "../coordinator/src/pipeline/servedExampleHashes.js";
import { variantExample } from "./bench/variantExample.js";
import { spearmanCorrelation } from "../coordinator/src/eval/attribution/spearmanCorrelation.js";
import { exampleHash } from "../coordinator/src/eval/dataset/exampleHash.js";
import { tokenizeExample } from "../coordinator/src/eval/dataset/tokenizeExample.js";
import type { DatasetExample } from "../coordinator/src/eval/dataset/types.js";
import { DEMO_LORA_HYPER } from "../coordinator/src/eval/demo/demoLoraHyper.js";
import { ensureDemoBaseModel } from "../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { loadDatasetFile } from "../coordinator/src/eval/demo/loadDatasetFile.js";
import { ggufToModel } from "../coordinator/src/eval/model/ggufToModel.js";
import { createTokenizer } from "../coordinator/src/eval/tokenizer/createTokenizer.js";
import { computeLogProbs } from "../coordinator/src/eval/train/computeLogProbs.js";
import { trainLora } from "../coordinator/src/eval/train/trainLora.js";
import type { LoraHyperParameters, ScoredSequence } from "../coordinator/src/eval/train/types.js";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "max-n": { type: "string" },
    holdout: { type: "string" },
    "msr-samples": { type: "string" },
    checkpoints: { type: "string" },
    "projection-dim": { type: "string" },
    /** sign (default), adam or none: InRunSettings.preconditioner. */
    preconditioner: { type: "string" },
    /** uniform (default) or batch: InRunSettings.exampleWeights. */
    "example-weights": { type: "string" },
    /** How many of the five n = 6 agreement Forges (A–E) to measure (default 5; each costs 2 × 63 exact-Shapley trainings unless cached). */
    "agreement-forges": { type: "string" },
    "max-extra-work": { type: "string" },
    /** Where checkpoints sit in their intervals: end (default) or start. */
    "checkpoint-at": { type: "string" },
    /** Extra in-run settings for the n = 6 agreement, as a JSON array of partial InRunSettings (each one more row), e.g. '[{"checkpointAt":"start"},{"maxExtraWork":3}]'. */
    "agreement-settings": { type: "string" },
    /** More in-run training seeds for each n = 6 agreement row (comma-separated, e.g. 2,3,4): its Spearman on each and the mean. */
    "agreement-seeds": { type: "string" },
    /** Skips the n = 6 agreement (2 × 63 exact-Shapley trainings): for a quick check of the other sections. */
    "skip-agreement": { type: "boolean", default: false },
    /** Keeps every trained coalition's utility here (createUtilityCache), so a rerun reuses e.g. the n = 6 exact Shapley trainings. */
    cache: { type: "string" },
    /** The sizes of the cost section, comma-separated (default 4,8,32,128,512 up to --max-n). */
    sizes: { type: "string" },
    /** Skips the split and copy sections. */
    "skip-extras": { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const quick = opts.quick ?? false;
const maxN = Number(opts["max-n"] ?? (quick ? 8 : 512));
const holdoutSize = Number(opts.holdout ?? (quick ? 8 : 16));
const msrSamples = Number(opts["msr-samples"] ?? (quick ? 16 : 48));
/** Sequences are cut to their first MAX_TOKENS tokens (prompt and the start of the response); examples with under 16 response tokens left are dropped. */
const MAX_TOKENS = 256;
/** The defaults (DEFAULT_IN_RUN_SETTINGS: ≤ 4 checkpoints at the ends, projection 16384, AdamW, one seed, features + holdout gradients ≤ 2 trainings, the pass served), no calibration unless asked. `--max-extra-work none`: no compute bound. */
const maxExtraWork = opts["max-extra-work"] === "none" ? undefined : Number(opts["max-extra-work"] ?? DEFAULT_IN_RUN_SETTINGS.maxExtraWork);
const { maxExtraWork: _default, ...unbounded } = DEFAULT_IN_RUN_SETTINGS;
const IN_RUN: InRunSettings = {
  ...unbounded,
  checkpoints: Number(opts.checkpoints ?? DEFAULT_IN_RUN_SETTINGS.checkpoints),
  projectionDim: Number(opts["projection-dim"] ?? DEFAULT_IN_RUN_SETTINGS.projectionDim),
  projectionSeed: "bench",
  preconditioner: (opts.preconditioner ?? DEFAULT_IN_RUN_SETTINGS.preconditioner) as InRunSettings["preconditioner"],
  exampleWeights: (opts["example-weights"] ?? DEFAULT_IN_RUN_SETTINGS.exampleWeights ?? "batch") as NonNullable<InRunSettings["exampleWeights"]>,
  checkpointAt: (opts["checkpoint-at"] ?? DEFAULT_IN_RUN_SETTINGS.checkpointAt) as "start" | "end",
  calibration: { samples: 0, seed: "bench" },
  ...(maxExtraWork !== undefined ? { maxExtraWork } : {}),
};
const { steps: _steps, ...demoHyper } = DEMO_LORA_HYPER;
const HYPER: Omit<LoraHyperParameters, "seed"> = { ...demoHyper, epochs: 2 };
const log = (s = "") => process.stdout.write(`${s}\n`);

const demo = await ensureDemoBaseModel();
const model = ggufToModel(new Uint8Array(await readFile(demo.path)));
const tok = createTokenizer(model.tokenizer);
const load = (name: string) => loadDatasetFile(join("data/demo", `${name}.jsonl`));
const cut = (e: DatasetExample): ScoredSequence => {
  const s = tokenizeExample(tok, e);
  return { ...s, tokens: s.tokens.slice(0, MAX_TOKENS) };
};
const fits = (e: DatasetExample) => cut(e).scoreFrom <= MAX_TOKENS - 16;
const relevantPool = [...(await load("contrib-alice")), ...(await load("contrib-bob")), ...(await load("contrib-carol")), ...(await load("contrib-dave"))].filter(fits);
const irrelevantPool = (await load("contrib-control")).filter(fits);
const holdoutExamples = (await load("holdout")).filter(fits).slice(0, holdoutSize);
const holdout = holdoutExamples.map((e, i) => ({ ...cut(e), id: `holdout-${i}` }));

const sequences = new Map<string, ScoredSequence>();
/** Example texts by hash: de-duplication clusters exact, normalized and near copies with them. */
const texts = new Map<string, DatasetExample>();
const hashOf = (e: DatasetExample) => {
  const h = exampleHash(e);
  if (!sequences.has(h)) sequences.set(h, { ...cut(e), id: h });
  texts.set(h, e);
  return h;
};
/** Example k of a pool: its (k mod size)-th example, in variant round ⌊k / size⌋ (variantExample: distinct to de-duplication). */
const variant = (pool: DatasetExample[], k: number): DatasetExample => variantExample(pool[k % pool.length], Math.floor(k / pool.length));

/** The k-th relevant / irrelevant variant that fits (the order forge() takes them in). */
const fitting = (pool: DatasetExample[]) => {
  const seen: DatasetExample[] = [];
  let next = 0;
  return (k: number): DatasetExample => {
    while (seen.length <= k) {
      const e = variant(pool, next++);
      if (fits(e)) seen.push(e);
    }
    return seen[k];
  };
};
const relevantAt = fitting(relevantPool);
const irrelevantAt = fitting(irrelevantPool);

interface Contribution { id: string; exampleHashes: string[]; kind: string }
function forge(n: number): Contribution[] {
  const out: Contribution[] = [];
  let rel = 0;
  let irr = 0;
  const examplesOf: DatasetExample[] = [];
  for (let i = 0; i < n; i++) {
    const r = i % 10;
    let e: DatasetExample;
    let kind: string;
    if (r <= 5 || i < 8) {
      // A variant's renamed identifiers take more tokens: skip those whose response no longer fits (deterministically).
      do e = variant(relevantPool, rel++);
      while (!fits(e));
      kind = "relevant";
    } else if (r <= 7) {
      do e = variant(irrelevantPool, irr++);
      while (!fits(e));
      kind = "irrelevant";
    } else if (r === 8) [e, kind] = [{ ...examplesOf[i - 8], id: `copy-${i}` }, "exact-copy"];
    else [e, kind] = [{ ...examplesOf[i - 8], id: `near-${i}`, prompt: `${examplesOf[i - 8].prompt} ` }, "near-copy"];
    examplesOf.push(e);
    out.push({ id: `c${i}`, exampleHashes: [hashOf(e)], kind });
  }
  return out;
}

const baseScore = (() => {
  const r = computeLogProbs({ model, sequences: holdout });
  return { nll: r.reduce((a, s) => a + s.nll, 0), tokens: r.reduce((a, s) => a + s.tokens, 0) };
})();
let trainingTokensTotal = 0;
const scoreTrained = async (hashes: readonly string[], seed: string | number) => {
  const seqs = hashes.map((h) => sequences.get(h)!);
  const { adapter, metrics } = trainLora({ model, sequences: seqs, hyper: { ...HYPER, seed } });
  trainingTokensTotal += metrics.inputTokens;
  const r = computeLogProbs({ model, adapter, sequences: holdout });
  return { nll: r.reduce((a, s) => a + s.nll, 0), tokens: r.reduce((a, s) => a + s.tokens, 0) };
};
const inRun = createInRunRunner({ model, examples: sequences, holdout, hyper: HYPER });

async function attribute(contributions: Contribution[], method: AttributionMethod, seeds: (string | number)[] = [1]) {
  const started = performance.now();
  const r = await attributeContributions({
    contributions: contributions.map(({ id, exampleHashes }) => ({ id, exampleHashes, exampleTexts: exampleHashes.map((h) => texts.get(h)!) })),
    method,
    trainingSeeds: seeds,
    scoreBase: async () => baseScore,
    scoreTrained,
    inRun,
    utilityInputs: { bench: "attribution", holdout: holdout.length, maxTokens: MAX_TOKENS, hyper: HYPER },
    ...(opts.cache ? { cacheDirectory: opts.cache } : {}),
  });
  const wallSeconds = (performance.now() - started) / 1000;
  // In-run: every pass (its run, features, holdout gradients) and the served adapter's retraining on the contributions of
  // positive value (trainServedAdapter), in input tokens through forward + backward, over one run of every contribution.
  // Calibration retrainings are not in it (none here unless asked; reported apart).
  // Serving the pass's own run (servedAdapter "in-run-pass", the default) retrains nothing: 0.
  const served = r.servedAdapter ? 0 : plannedRunTokens({ ...HYPER, seed: seeds[0] }, servedExampleHashes(r).map((h) => sequences.get(h)!));
  const cost = r.inRun ? countInRunTrainings({ passes: r.inRun.map((p) => p.work), servedRetrainingTokens: served }) : undefined;
  // Coalition methods: every (coalition, seed) utility, trained here or read from --cache (then the wall time is not a training's).
  const trainings = cost ? cost.trainings : r.trainings.run + r.trainings.cached;
  return { r, wallSeconds, trainings, cost, values: new Map(r.scoreVector.entries.map((e) => [e.id, e.value])) };
}
const inRunMethod: AttributionMethod = { kind: "in-run", ...IN_RUN };
/** Shares as the contract gives them: non-positive scores get none. */
const shares = (values: Map<string, number>) => {
  const total = [...values.values()].reduce((a, v) => a + Math.max(0, v), 0);
  return new Map([...values].map(([id, v]) => [id, total > 0 ? Math.max(0, v) / total : 0]));
};

log(`IngotForge attribution benchmark — ${new Date().toISOString()}; load average ${loadavg().map((x) => x.toFixed(2)).join(", ")}`);
log(`demo base (hidden ${model.config.hiddenSize}, ${model.config.numLayers} layers, vocab ${model.config.vocabSize}); examples cut to ${MAX_TOKENS} tokens: ${relevantPool.length} relevant, ${irrelevantPool.length} irrelevant; holdout ${holdout.length}`);
log(`LoRA: demo settings, 2 epochs, batch ${HYPER.batchSize}; in-run: ≤ ${IN_RUN.checkpoints} checkpoints, projection ${IN_RUN.projectionDim}, ${IN_RUN.preconditioner} preconditioner, ${IN_RUN.exampleWeights} example weights, features + holdout gradients ≤ ${IN_RUN.maxExtraWork ?? "∞"} run(s), ${IN_RUN.seeds ?? "all"} seed(s); MSR ${msrSamples} samples`);
log();

type Cost = NonNullable<Awaited<ReturnType<typeof attribute>>["cost"]>;
const rows: { n: number; method: string; trainings: number; wallSeconds: number; secondsPerContribution: number; players?: number; cost?: Cost; checkpoints?: number; holdoutExamples?: { used: number; of: number } }[] = [];
const row = (n: number, method: string, x: Awaited<ReturnType<typeof attribute>>) => {
  const r3 = (v: number) => Number(v.toFixed(3));
  const pass = x.r.inRun?.[0];
  const entry = {
    n,
    method,
    trainings: r3(x.trainings),
    wallSeconds: Number(x.wallSeconds.toFixed(2)),
    secondsPerContribution: r3(x.wallSeconds / n),
    players: x.r.deduped.players.length,
    ...(x.cost ? { cost: { trainings: r3(x.cost.trainings), run: r3(x.cost.run), features: r3(x.cost.features), holdout: r3(x.cost.holdout), servedRetraining: r3(x.cost.servedRetraining) } } : {}),
    ...(pass ? { checkpoints: pass.checkpoints.length, holdoutExamples: pass.work.holdoutExamples } : {}),
  };
  rows.push(entry);
  const detail = entry.cost ? `  (run ${entry.cost.run} + features ${entry.cost.features} + holdout ${entry.cost.holdout} [${entry.holdoutExamples!.used}/${entry.holdoutExamples!.of} examples, ${entry.checkpoints} checkpoints] + served retraining ${entry.cost.servedRetraining})` : "";
  log(`${String(n).padStart(4)}  ${method.padEnd(20)} trainings ${String(entry.trainings).padStart(8)}  wall ${entry.wallSeconds.toFixed(1).padStart(8)} s  ${entry.secondsPerContribution.toFixed(3)} s/contribution  players ${entry.players}${detail}`);
};
const agreement: { n: number; forge?: string; against: string; inRun: string; spearman: number | null; seedFloorSpearman: number | null; bySeed?: { seed: number; spearman: number | null }[]; meanOverSeeds?: number; minOverSeeds?: number; inRunSelfSpearman?: number | null }[] = [];
const agreementSummary: { n: number; inRun: string; forges: number; meanSpearman: number; meanFloor: number; forgesAtOrAboveFloor: number }[] = [];
const msrNoise: { n: number; samples: number; meanStdError: number; sdOfValues: number; msrVsMsrSpearman: number | null }[] = [];
const calibration: { n: number; samples: number; trainings: number; wallSeconds: number; spearman: number | null }[] = [];
const split: { k: number; gain: number }[] = [];
let chop: { k: number; halvesKept: number; inRunGainBySeed: number[]; inRunGainMean: number; exactShapleyGain: number } | undefined;
let exactCopyShare = NaN;
let nearCopyShare = NaN;
/** Written after every section, so a run stopped by its timeout keeps what it measured. */
const save = () => {
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), loadAverage: loadavg(), quick, maxN, holdout: holdout.length, inRun: IN_RUN, hyper: HYPER, rows, agreement, agreementSummary, msrNoise, calibration, split, chop, exactCopyShare, nearCopyShare }, null, 2));
};
const scoredIds = (x: Awaited<ReturnType<typeof attribute>>) => x.r.scoreVector.entries.filter((e) => e.status === "scored").map((e) => e.id);
const sd = (xs: number[]) => {
  const m = xs.reduce((a, v) => a + v, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

// Agreement at n = 6 against exact Shapley, on five Forges of six one-example contributions (A, the one measured before:
// the first six relevant examples; B and E: other relevant ones; C and D: four relevant and two irrelevant), each next to
// exact Shapley with itself across training seeds 1 and 2 (the floor). In-run runs on training seeds 1 and
// --agreement-seeds (default 2,3,4), each against exact Shapley seed 1; a row per in-run setting (the defaults, then
// --agreement-settings).
const AGREEMENT_FORGES: [string, string][] = [
  ["A", "r0,r1,r2,r3,r4,r5"],
  ["B", "r6,r7,r8,r9,r10,r11"],
  ["C", "r12,r13,r14,r15,i0,i1"],
  ["D", "r16,r17,i2,r18,i3,r19"],
  ["E", "r30,r31,r32,r33,r34,r35"],
];
if (!opts["skip-agreement"]) {
  const agreementSeeds = (opts["agreement-seeds"] ?? "2,3,4").split(",").filter((x) => x !== "").map(Number);
  const variants: [string, AttributionMethod][] = [
    [`defaults (${IN_RUN.preconditioner}, ${IN_RUN.exampleWeights}, max extra work ${IN_RUN.maxExtraWork ?? "none"})`, inRunMethod],
    ...(JSON.parse(opts["agreement-settings"] ?? "[]") as Partial<InRunSettings>[]).map((x): [string, AttributionMethod] => [`with ${JSON.stringify(x)}`, { ...inRunMethod, ...x } as AttributionMethod]),
  ];
  const summary = new Map<string, { means: number[]; floors: number[]; atFloor: number }>();
  for (const [name, spec] of AGREEMENT_FORGES.slice(0, Number(opts["agreement-forges"] ?? AGREEMENT_FORGES.length))) {
    const f: Contribution[] = spec.split(",").map((x, i) => {
      const e = x[0] === "r" ? relevantAt(Number(x.slice(1))) : irrelevantAt(Number(x.slice(1)));
      return { id: `${name}${i}`, exampleHashes: [hashOf(e)], kind: x[0] === "r" ? "relevant" : "irrelevant" };
    });
    const e1 = await attribute(f, { kind: "exact-shapley" }, [1]);
    const e2 = await attribute(f, { kind: "exact-shapley" }, [2]);
    row(6, `exact-shapley (${name})`, e1);
    const ids = f.map((c) => c.id);
    const v = (m: Map<string, number>) => ids.map((id) => m.get(id)!);
    const floor = spearmanCorrelation(v(e1.values), v(e2.values));
    log(`Forge ${name} (${spec}): exact Shapley seed 1 ${v(e1.values).map((x) => x.toFixed(4)).join(" ")}; exact vs exact across seeds 1 and 2 = ${floor?.toFixed(3)}`);
    for (const [setting, method] of variants) {
      if (method.kind === "in-run" && (method.maxExtraWork === undefined || method.maxExtraWork === null)) delete (method as { maxExtraWork?: number }).maxExtraWork;
      const bySeed: { seed: number; spearman: number | null }[] = [];
      const valuesBySeed: number[][] = [];
      let first: Awaited<ReturnType<typeof attribute>> | undefined;
      for (const seed of [1, ...agreementSeeds]) {
        const ir = await attribute(f, method, [seed]);
        first ??= ir;
        valuesBySeed.push(v(ir.values));
        bySeed.push({ seed, spearman: spearmanCorrelation(v(ir.values), v(e1.values)) });
      }
      // In-run with itself across its training seeds: the mean Spearman over every pair of seeds.
      const pairs: number[] = [];
      for (let a = 0; a < valuesBySeed.length; a++) for (let b = a + 1; b < valuesBySeed.length; b++) pairs.push(spearmanCorrelation(valuesBySeed[a], valuesBySeed[b]) ?? 0);
      const selfSpearman = pairs.length > 0 ? pairs.reduce((x, y) => x + y, 0) / pairs.length : null;
      if (name === "A") row(6, `in-run ${setting.startsWith("with") ? setting : "defaults"}`, first!);
      const known = bySeed.map((x) => x.spearman ?? 0);
      const mean = known.reduce((a, x) => a + x, 0) / known.length;
      agreement.push({ n: 6, forge: name, against: "exact-shapley", inRun: setting, spearman: bySeed[0].spearman, seedFloorSpearman: floor, bySeed, meanOverSeeds: mean, minOverSeeds: Math.min(...known), inRunSelfSpearman: selfSpearman });
      const sum = summary.get(setting) ?? { means: [], floors: [], atFloor: 0 };
      sum.means.push(mean);
      sum.floors.push(floor ?? 0);
      if (mean >= (floor ?? 0)) sum.atFloor++;
      summary.set(setting, sum);
      log(`  in-run ${setting}: Spearman with exact Shapley seed 1 over in-run training seeds ${bySeed.map((x) => `${x.seed}: ${x.spearman?.toFixed(3)}`).join(", ")}; mean ${mean.toFixed(3)} (floor ${floor?.toFixed(3)}); in-run with itself across those seeds ${selfSpearman?.toFixed(3)}`);
    }
    save();
  }
  for (const [setting, sum] of summary) {
    const avg = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    agreementSummary.push({ n: 6, inRun: setting, forges: sum.means.length, meanSpearman: avg(sum.means), meanFloor: avg(sum.floors), forgesAtOrAboveFloor: sum.atFloor });
    log(`agreement n=6, in-run ${setting}: mean Spearman over ${sum.means.length} Forges ${avg(sum.means).toFixed(3)} against a mean floor of ${avg(sum.floors).toFixed(3)}; at or above the floor on ${sum.atFloor} of ${sum.means.length}`);
  }
  save();
}

// Split: one 8-example relevant contribution among 8 others, then split across k wallets (contiguously).
if (!opts["skip-extras"]) {
  const others = forge(8);
  const big = Array.from({ length: 8 }, (_, j) => hashOf({ ...variant(relevantPool, 20 + j), id: `split-${j}` }));
  const whole = await attribute([...others, { id: "splitter", exampleHashes: big, kind: "relevant" }], inRunMethod);
  const unsplit = shares(whole.values).get("splitter")!;
  for (const k of [2, 4, 8]) {
    const parts = Array.from({ length: k }, (_, j) => ({ id: `splitter-${j}`, exampleHashes: big.slice((j * 8) / k, ((j + 1) * 8) / k), kind: "relevant" }));
    const s = shares((await attribute([...others, ...parts], inRunMethod)).values);
    const sum = parts.reduce((a, p) => a + s.get(p.id)!, 0);
    split.push({ k, gain: unsplit > 0 ? sum / unsplit - 1 : NaN });
    log(`split k=${k}: share ${sum.toFixed(6)} vs unsplit ${unsplit.toFixed(6)}, gain ${((sum / unsplit - 1) * 100).toFixed(4)} %`);
  }
}

// Chopping: one contribution's example cut in two (the same prompt, each half of the response, cut at the space nearest
// its middle) among five others; its share against the uncut one's, for in-run (training seeds 1–4) and exact Shapley
// (seed 1). The example is the first relevant one whose prompt leaves 64 tokens of response, its response shortened at
// a space until the whole example fits in MAX_TOKENS, so the halves train on no token the whole one does not.
if (!opts["skip-extras"]) {
  let k = 0;
  while (tokenizeExample(tok, { ...relevantAt(k), response: "x" }).scoreFrom > MAX_TOKENS - 64) k++;
  let whole = relevantAt(k);
  while (tokenizeExample(tok, whole).tokens.length > MAX_TOKENS) whole = { ...whole, response: whole.response.slice(0, whole.response.lastIndexOf(" ")) };
  const mid = whole.response.indexOf(" ", Math.floor(whole.response.length / 2));
  const halves = [
    { ...whole, id: `${whole.id}-a`, response: whole.response.slice(0, mid) },
    { ...whole, id: `${whole.id}-b`, response: whole.response.slice(mid + 1) },
  ];
  const others: Contribution[] = [1, 2, 3, 4, 5].map((j) => ({ id: `o${j}`, exampleHashes: [hashOf(relevantAt(k + j))], kind: "relevant" }));
  const uncut: Contribution[] = [{ id: "chopper", exampleHashes: [hashOf(whole)], kind: "relevant" }, ...others];
  const cutUp: Contribution[] = [{ id: "chopper", exampleHashes: halves.map(hashOf), kind: "relevant" }, ...others];
  const shareOf = async (f: Contribution[], method: AttributionMethod, seed: number) => {
    const x = await attribute(f, method, [seed]);
    return { share: shares(x.values).get("chopper")!, kept: x.r.deduped.contributions.find((c) => c.id === "chopper")?.keptHashes.length ?? 0 };
  };
  const gains: number[] = [];
  let kept = 0;
  for (const seed of [1, 2, 3, 4]) {
    const a = await shareOf(uncut, inRunMethod, seed);
    const b = await shareOf(cutUp, inRunMethod, seed);
    kept = b.kept;
    gains.push(b.share / a.share - 1);
  }
  const ea = await shareOf(uncut, { kind: "exact-shapley" }, 1);
  const eb = await shareOf(cutUp, { kind: "exact-shapley" }, 1);
  chop = { k: 2, halvesKept: kept, inRunGainBySeed: gains, inRunGainMean: gains.reduce((x, y) => x + y, 0) / gains.length, exactShapleyGain: eb.share / ea.share - 1 };
  log(`chopping: one example cut in two (${kept} of 2 halves kept by de-duplication): share gain in-run ${gains.map((g) => `${(g * 100).toFixed(1)} %`).join(", ")} (seeds 1–4), exact Shapley ${(chop.exactShapleyGain * 100).toFixed(1)} %`);
  save();
}

// Copies: an original of 4 relevant examples, a later exact copy and a later near copy (trailing space on each prompt).
if (!opts["skip-extras"]) {
  const others = forge(8);
  const orig = Array.from({ length: 4 }, (_, j) => ({ ...variant(relevantPool, 40 + j), id: `orig-${j}` }));
  const f: Contribution[] = [
    { id: "original", exampleHashes: orig.map(hashOf), kind: "relevant" },
    ...others,
    { id: "exact-copy", exampleHashes: orig.map((e) => hashOf({ ...e, id: `${e.id}-copy` })), kind: "exact-copy" },
    { id: "near-copy", exampleHashes: orig.map((e) => hashOf({ ...e, id: `${e.id}-near`, prompt: `${e.prompt} ` })), kind: "near-copy" },
  ];
  const s = shares((await attribute(f, inRunMethod)).values);
  exactCopyShare = s.get("exact-copy")! / s.get("original")!;
  nearCopyShare = s.get("near-copy")! / s.get("original")!;
  log(`copies: exact copy's share / original's = ${exactCopyShare.toFixed(4)}; near copy's = ${nearCopyShare.toFixed(4)}`);
  save();
}
log();

// Cost at every n (in-run with the defaults; exact and leave-one-out where affordable; MSR, calibration at 32).
const sizes = opts.sizes ? opts.sizes.split(",").map(Number) : [4, 8, 32, 128, 512].filter((x) => x <= maxN);
for (const n of sizes) {
  const f = forge(n);
  const ir = await attribute(f, inRunMethod);
  row(n, "in-run", ir);
  if (n <= 4) row(n, "exact-shapley", await attribute(f, { kind: "exact-shapley" }));
  if (n <= 8) row(n, "leave-one-out", await attribute(f, { kind: "leave-one-out" }));
  if (n === 32 || (quick && n === maxN)) {
    const cal = await attribute(f, { ...inRunMethod, calibration: { samples: 5, seed: "bench" } } as AttributionMethod);
    const c = cal.r.calibration!;
    calibration.push({ n, samples: c.players.length, trainings: c.evaluations, wallSeconds: Number((cal.wallSeconds - ir.wallSeconds).toFixed(2)), spearman: c.spearman });
    log(`${String(n).padStart(4)}  calibration (LOO)    trainings ${String(c.evaluations).padStart(8)}  (not in in-run's count)  Spearman(LOO, in-run) on ${c.players.length} contributions = ${c.spearman?.toFixed(3)}`);
    const msr = await attribute(f, { kind: "msr-banzhaf", samples: msrSamples, seed: "bench" });
    row(n, "msr-banzhaf", msr);
    const ids = scoredIds(ir);
    agreement.push({ n, against: "msr-banzhaf", inRun: "defaults", spearman: spearmanCorrelation(ids.map((id) => ir.values.get(id)!), ids.map((id) => msr.values.get(id)!)), seedFloorSpearman: null });
    // Why MSR agreement is low: MSR's own noise (its standard errors against the spread of its values, and MSR with itself over another sample seed).
    const msr2 = await attribute(f, { kind: "msr-banzhaf", samples: msrSamples, seed: "bench-2" });
    const mv = ids.map((id) => msr.values.get(id)!);
    const ses = msr.r.scoreVector.entries.filter((e) => e.status === "scored").map((e) => e.stdError);
    msrNoise.push({ n, samples: msrSamples, meanStdError: ses.reduce((a, v) => a + v, 0) / ses.length, sdOfValues: sd(mv), msrVsMsrSpearman: spearmanCorrelation(mv, ids.map((id) => msr2.values.get(id)!)) });
    const mn = msrNoise.at(-1)!;
    log(`agreement n=${n}: Spearman(in-run, MSR Banzhaf ${msrSamples} samples) = ${agreement.at(-1)!.spearman?.toFixed(3)}; MSR vs MSR (sample seeds bench, bench-2) = ${mn.msrVsMsrSpearman?.toFixed(3)}; MSR mean SE ${mn.meanStdError.toExponential(2)} vs sd of its values ${mn.sdOfValues.toExponential(2)}`);
  }
  save();
}
log();

save();
if (opts.json) log(`\nwrote ${opts.json}`);
