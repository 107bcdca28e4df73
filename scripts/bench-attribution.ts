/**
 * `npm run bench:attribution [-- --quick] [--max-n N] [--holdout N] [--msr-samples N] [--json FILE]`
 *
 * Attribution methods on synthetic Forges built from data/demo, on the demo base model and the
 * project's own deterministic trainer (utilities scored with the trainer's float64 forward pass, so
 * no llama.cpp is needed): cost per method at n = 4, 8, 32, 128, 512 contributions, agreement of
 * in-run with exact Shapley at n = 6 next to exact Shapley with itself across two seeds (and with
 * MSR Banzhaf at n = 32), the gain from splitting a contribution across k wallets, and the shares
 * of an exact and a near copy.
 *
 * Synthetic Forge of n contributions (one example each; contribution i by i mod 10): 0–5 relevant
 * (alice/bob/carol/dave examples, cut to their first 256 tokens, re-used with a "(ticket k)" prefix once
 * the pool is used up), 6–7 irrelevant (control), 8 an exact copy of contribution i−8's example,
 * 9 a near copy of it (a trailing space on the prompt). De-duplication gets the example texts, so
 * exact, normalized and near copies (and, above ~100 contributions, the "(ticket k)" re-uses) are
 * dropped as duplicates and earn nothing. In-run: 4 checkpoints, AdamW-preconditioned,
 * projection 16384 (65536 for the n = 6 agreement: `--agreement-dim`). Training: the demo's LoRA settings with
 * 2 epochs instead of 16 steps (so every example is trained on, and a run grows with n).
 */
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { attributeContributions, type AttributionMethod } from "../coordinator/src/eval/attribution/attributeContributions.js";
import { createInRunRunner } from "../coordinator/src/eval/attribution/createInRunRunner.js";
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
    preconditioner: { type: "string" },
    "agreement-dim": { type: "string" },
    json: { type: "string" },
  },
});
const quick = opts.quick ?? false;
const maxN = Number(opts["max-n"] ?? (quick ? 8 : 512));
const holdoutSize = Number(opts.holdout ?? (quick ? 8 : 16));
const msrSamples = Number(opts["msr-samples"] ?? (quick ? 16 : 48));
/** Sequences are cut to their first MAX_TOKENS tokens (prompt and the start of the response); examples with under 16 response tokens left are dropped. */
const MAX_TOKENS = 256;
const IN_RUN = { checkpoints: Number(opts.checkpoints ?? 4), projectionDim: Number(opts["projection-dim"] ?? 16384), projectionSeed: "bench", preconditioner: (opts.preconditioner ?? "adam") as "adam" | "none", calibration: { samples: 0, seed: "bench" } };
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
const variant = (pool: DatasetExample[], k: number): DatasetExample => {
  const e = pool[k % pool.length];
  const round = Math.floor(k / pool.length);
  return round === 0 ? e : { ...e, id: `${e.id}-t${round}`, prompt: `(ticket ${round}) ${e.prompt}` };
};

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
    if (r <= 5 || i < 8) [e, kind] = [variant(relevantPool, rel++), "relevant"];
    else if (r <= 7) [e, kind] = [variant(irrelevantPool, irr++), "irrelevant"];
    else if (r === 8) [e, kind] = [{ ...examplesOf[i - 8], id: `copy-${i}` }, "exact-copy"];
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
    utilityInputs: { bench: "attribution" },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  // In-run: the served run counts 1, the features and holdout gradients as a fraction of it (input tokens through forward + backward).
  const trainings = r.inRun ? r.inRun.reduce((a, p) => a + (p.work.trainingTokens + p.work.featureTokens + p.work.holdoutTokens) / p.work.trainingTokens, 0) : r.trainings.run;
  return { r, wallSeconds, trainings, values: new Map(r.scoreVector.entries.map((e) => [e.id, e.value])) };
}
const inRunMethod: AttributionMethod = { kind: "in-run", ...IN_RUN };
/** Shares as the contract gives them: non-positive scores get none. */
const shares = (values: Map<string, number>) => {
  const total = [...values.values()].reduce((a, v) => a + Math.max(0, v), 0);
  return new Map([...values].map(([id, v]) => [id, total > 0 ? Math.max(0, v) / total : 0]));
};

log(`IngotForge attribution benchmark — ${new Date().toISOString()}; load average ${loadavg().map((x) => x.toFixed(2)).join(", ")}`);
log(`demo base (hidden ${model.config.hiddenSize}, ${model.config.numLayers} layers, vocab ${model.config.vocabSize}); examples cut to ${MAX_TOKENS} tokens: ${relevantPool.length} relevant, ${irrelevantPool.length} irrelevant; holdout ${holdout.length}`);
log(`LoRA: demo settings, 2 epochs, batch ${HYPER.batchSize}; in-run: ${IN_RUN.checkpoints} checkpoints, projection ${IN_RUN.projectionDim}; MSR ${msrSamples} samples`);
log();

const rows: { n: number; method: string; trainings: number; wallSeconds: number; secondsPerContribution: number }[] = [];
const row = (n: number, method: string, x: { trainings: number; wallSeconds: number }) => {
  const entry = { n, method, trainings: Number(x.trainings.toFixed(3)), wallSeconds: Number(x.wallSeconds.toFixed(2)), secondsPerContribution: Number((x.wallSeconds / n).toFixed(3)) };
  rows.push(entry);
  log(`${String(n).padStart(4)}  ${method.padEnd(20)} trainings ${String(entry.trainings).padStart(8)}  wall ${entry.wallSeconds.toFixed(1).padStart(8)} s  ${entry.secondsPerContribution.toFixed(3)} s/contribution`);
};

const agreement: { n: number; against: string; spearman: number | null; seedFloorSpearman: number | null }[] = [];
for (const n of [4, 8, 32, 128, 512].filter((x) => x <= maxN)) {
  const f = forge(n);
  const ir = await attribute(f, inRunMethod);
  row(n, "in-run", ir);
  if (n <= 4) row(n, "exact-shapley", await attribute(f, { kind: "exact-shapley" }));
  if (n <= 8) row(n, "leave-one-out", await attribute(f, { kind: "leave-one-out" }));
  if (n === 32 || (quick && n === maxN)) {
    const msr = await attribute(f, { kind: "msr-banzhaf", samples: msrSamples, seed: "bench" });
    row(n, "msr-banzhaf", msr);
    const ids = [...ir.values.keys()].filter((id) => ir.r.scoreVector.entries.find((e) => e.id === id)!.status === "scored");
    agreement.push({ n, against: "msr-banzhaf", spearman: spearmanCorrelation(ids.map((id) => ir.values.get(id)!), ids.map((id) => msr.values.get(id)!)), seedFloorSpearman: null });
  }
}

// Agreement at n = 6 against exact Shapley, and exact Shapley with itself across two seeds.
{
  const f = forge(6);
  const e1 = await attribute(f, { kind: "exact-shapley" }, [1]);
  const e2 = await attribute(f, { kind: "exact-shapley" }, [2]);
  const agreementDim = Number(opts["agreement-dim"] ?? 65536);
  const ir = await attribute(f, { ...inRunMethod, projectionDim: agreementDim } as AttributionMethod, [1]);
  log(`(agreement at n = 6 uses projection ${agreementDim})`);
  const ids = f.map((c) => c.id);
  const v = (m: Map<string, number>) => ids.map((id) => m.get(id)!);
  agreement.unshift({ n: 6, against: "exact-shapley", spearman: spearmanCorrelation(v(ir.values), v(e1.values)), seedFloorSpearman: spearmanCorrelation(v(e1.values), v(e2.values)) });
  row(6, "exact-shapley", e1);
}
log();
for (const a of agreement) log(`agreement n=${a.n}: Spearman(in-run, ${a.against}) = ${a.spearman?.toFixed(3)}${a.seedFloorSpearman !== null ? `; exact vs exact across seeds 1 and 2 = ${a.seedFloorSpearman?.toFixed(3)}` : ""}`);

// Split: one 8-example relevant contribution among 8 others, then split across k wallets (contiguously).
const split: { k: number; gain: number }[] = [];
{
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

// Copies: an original of 4 relevant examples, a later exact copy and a later near copy (trailing space on each prompt).
let exactCopyShare = NaN;
let nearCopyShare = NaN;
{
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
}

if (opts.json) {
  writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), quick, maxN, holdout: holdout.length, inRun: IN_RUN, hyper: HYPER, rows, agreement, split, exactCopyShare, nearCopyShare }, null, 2));
  log(`\nwrote ${opts.json}`);
}
