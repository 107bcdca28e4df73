import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { ensureDemoBaseModel } from "../../../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { DEMO_MODEL_SPEC, type DemoModelSpec } from "../../../coordinator/src/eval/demo/demoModelSpec.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";
import type { Qwen2Model } from "../../../coordinator/src/eval/model/types.js";
import { createTokenizer } from "../../../coordinator/src/eval/tokenizer/createTokenizer.js";
import { tokenizeExample } from "../../../coordinator/src/eval/dataset/tokenizeExample.js";
import { parseDatasetJsonlStrict } from "../../../coordinator/src/eval/dataset/parseDatasetJsonlStrict.js";
import { createScoringEngine, type ScoringEngine } from "../../../coordinator/src/eval/engine/createScoringEngine.js";
import type { ScoredSequence } from "../../../coordinator/src/eval/engine/types.js";
import { measureReferenceGap } from "../../../coordinator/src/eval/reference/measureReferenceGap.js";
import { quantizeActivationQ8_0 } from "../../../coordinator/src/eval/reference/quantizedActivations.js";
import { writeAdapter } from "./fixtures/scoringFixtures.js";

/*
 * The reference gap on a model with the demo's shape and trained weights (Q4_0, hidden 96,
 * 3 layers, 4/2 heads, FFN 256, vocab 1024, untied output): the demo spec pretrained for 30 small
 * steps (about 8 s), so its norms and embeddings look like the demo's rather than random ones.
 *
 * What went wrong on the demo model (issue 3 item 4): the "engine" reference agreed with
 * llama.cpp at only 1.3% of positions. The engine computes RMSNorm in float32 and quantizes its
 * output to Q8_0 before the next product; the reference computed the norm in float64. For a few
 * tokens (6 of 1024 on the demo model) one layer-0 activation sits within an ulp of a Q8_0
 * rounding step, so the two quantize it apart. One of them was the chat template's second token,
 * so every example diverged from position 1 on. The reference now rounds RMSNorm as ggml does,
 * and keeps every intermediate tensor in float32 as the engine does (a smaller second gain).
 *
 * Measured (scripts/measure-reference-gap.ts, real demo model, 12 examples, 2,229 tokens),
 * "engine" reference, before → after: mean 5.9e-3 → 5.2e-4, max 6.0e-2 → 2.2e-2, within 1e-4
 * 1.3% → 83.5% (with the trained adapter: 5.3e-3 → 8.1e-4, 3.3e-2 → 2.0e-2, 1.3% → 74.4%).
 * The remaining gap is ordinary float32-vs-float64 rounding flips somewhere in ~1.5k quantized
 * activations per position; they first appear at positions ~90-250 and the KV cache carries them on.
 */
const SPEC: DemoModelSpec = {
  ...DEMO_MODEL_SPEC,
  pretrain: { ...DEMO_MODEL_SPEC.pretrain, batchSize: 2, steps: 30, warmupSteps: 1 },
  checkpointEvery: 100,
};

let dir: string;
let llama: Llama;
let engine: ScoringEngine;
let model: Qwen2Model;
let modelPath: string;
let examples: ScoredSequence[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "reference-demo-"));
  llama = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error });
  const base = await ensureDemoBaseModel({ cacheDir: dir, spec: SPEC });
  modelPath = base.path;
  model = ggufToModel(new Uint8Array(readFileSync(base.path)));
  const tokenizer = createTokenizer(model.tokenizer);
  const holdout = parseDatasetJsonlStrict(new Uint8Array(readFileSync("data/demo/holdout.jsonl")), { source: "holdout.jsonl" });
  examples = holdout.slice(0, 3).map((e, i) => ({ ...tokenizeExample(tokenizer, e), id: `h${i}` }));
  engine = await createScoringEngine({ modelPath, mode: "exact", threads: 2, llama });
}, 150_000);
afterAll(async () => {
  await engine?.dispose();
  await llama?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Tokens whose layer-0 normalized embedding quantizes to different Q8_0 blocks depending on
 * whether RMSNorm is computed in float64 (rounded once) or step by step in float32 as ggml does.
 */
function tokensOnARoundingEdge(m: Qwen2Model): number[] {
  const H = m.config.hiddenSize;
  const f = Math.fround;
  const embd = m.tensors.get("token_embd.weight")!.values;
  const g = m.tensors.get("blk.0.attn_norm.weight")!.values;
  const eps = f(m.config.rmsNormEps);
  const found: number[] = [];
  for (let t = 0; t < m.config.vocabSize; t++) {
    const x = Float64Array.from(embd.subarray(t * H, (t + 1) * H));
    let ss = 0;
    let ss32 = 0;
    for (const v of x) {
      ss += v * v;
      ss32 += f(v * v);
    }
    const inv = 1 / Math.sqrt(ss / H + eps);
    const scale32 = f(1 / f(Math.sqrt(f(f(ss32 / H) + eps))));
    const a = quantizeActivationQ8_0(x.map((v, i) => v * inv * g[i]));
    const b = quantizeActivationQ8_0(x.map((v, i) => f(f(v * scale32) * g[i])));
    if (a.q.some((q, i) => q !== b.q[i]) || a.d.some((d, i) => d !== b.d[i])) found.push(t);
  }
  return found;
}

describe("llama.cpp exact mode against forwardReference64 on a demo-shaped trained Q4_0 model", () => {
  it("agrees on sequences that start with a token on a Q8_0 rounding edge (RMSNorm rounded as ggml rounds it)", async () => {
    // On the real demo model 6 of 1024 tokens are such edges, one of them (115) the second token
    // of the chat template: every example diverged from position 1 before the fix.
    const edges = tokensOnARoundingEdge(model).slice(0, 4);
    expect(edges.length).toBeGreaterThan(0);
    const sequences = edges.map((t, k) => ({ id: `edge-${t}`, tokens: [examples[k % 3].tokens[0], t, ...examples[k % 3].tokens.slice(2, 10)], scoreFrom: 1 }));
    const adapter = writeAdapter(dir, "demo-shape", model, 0.05);
    for (const a of [undefined, adapter]) {
      const g = await measureReferenceGap({ engine, model, sequences, adapter: a });
      expect(g.positions).toBe(sequences.length * 9);
      // Measured: max 1.0e-6 (float32 accumulation) with and without the adapter; with the
      // float64 norm the same sequences are off by up to 5.4e-3 (1 of 9 positions within 1e-4).
      expect(g.max).toBeLessThan(2e-5);
    }
  });

  it("stays within the measured tolerance over whole holdout examples", async () => {
    const g = await measureReferenceGap({ engine, model, sequences: examples });
    const dequantOnly = await measureReferenceGap({ engine, model, sequences: examples, arithmetic: "exact" });
    // Measured on this model (3 examples, 577 tokens): mean 3.5e-4, max 9.0e-3, 76.3% within
    // 1e-4; dequantize-only reference mean 2.6e-3, 2.1% within 1e-4. On the real demo model
    // (12 examples): mean 5.2e-4 / 8.1e-4 with the adapter, max 2.2e-2, 74-84% within 1e-4.
    // Asserted: at least half the positions within 1e-4, mean under 2e-3 (about 2.5x the demo's),
    // max under 5e-2 (about 2x the demo's worst flip), and at least 3x closer on average than the
    // dequantize-only reference (measured 7x). Before the fix the demo was at 1.3% / 5.9e-3.
    expect(g.positions).toBe(577);
    expect(g.within1e4).toBeGreaterThanOrEqual(0.5);
    expect(g.mean).toBeLessThan(2e-3);
    expect(g.max).toBeLessThan(5e-2);
    expect(dequantOnly.within1e4).toBeLessThan(0.1);
    expect(dequantOnly.mean).toBeGreaterThan(3 * g.mean);
  });
});
