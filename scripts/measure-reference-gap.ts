/**
 * Measures how far llama.cpp's exact-mode log-probs are from the float64 reference on the DEMO
 * model (Q4_0 frozen base, pre-trained here) with and without a LoRA adapter trained on the demo
 * data, under both reference arithmetics: "engine" (emulates llama.cpp's Q8_0 activation
 * quantization in products with quantized weights) and "exact" (dequantized weights only).
 * The figures printed here justify the tolerance asserted in test/ts/eval/reference.test.ts.
 * Run: `node --import tsx scripts/measure-reference-gap.ts [holdoutExamples=12]`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureDemoBaseModel } from "../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { DEMO_LORA_HYPER } from "../coordinator/src/eval/demo/demoLoraHyper.js";
import { ggufToModel } from "../coordinator/src/eval/model/ggufToModel.js";
import { loraAdapterToGguf } from "../coordinator/src/eval/model/loraAdapterToGguf.js";
import { createTokenizer } from "../coordinator/src/eval/tokenizer/createTokenizer.js";
import { tokenizeExample } from "../coordinator/src/eval/dataset/tokenizeExample.js";
import { parseDatasetJsonlStrict } from "../coordinator/src/eval/dataset/parseDatasetJsonlStrict.js";
import { createScoringEngine } from "../coordinator/src/eval/engine/createScoringEngine.js";
import { measureReferenceGap } from "../coordinator/src/eval/reference/measureReferenceGap.js";
import { trainLoraAsync } from "../coordinator/src/eval/train/trainLoraAsync.js";

const n = Number(process.argv[2] ?? 12);
const base = await ensureDemoBaseModel({});
const model = ggufToModel(new Uint8Array(readFileSync(base.path)));
const tokenizer = createTokenizer(model.tokenizer);
const read = (f: string) => parseDatasetJsonlStrict(new Uint8Array(readFileSync(path.join("data/demo", f))), { source: f });
const holdout = read("holdout.jsonl").slice(0, n).map((e, i) => ({ ...tokenizeExample(tokenizer, e), id: `h${i}` }));
const train = read("contrib-alice.jsonl").map((e, i) => ({ ...tokenizeExample(tokenizer, e), id: `a${i}` }));
const { adapter } = await trainLoraAsync({ model, sequences: train, hyper: { ...DEMO_LORA_HYPER, seed: 1 } });
const dir = mkdtempSync(path.join(tmpdir(), "ingotforge-gap-"));
const adapterPath = path.join(dir, "adapter.gguf");
writeFileSync(adapterPath, loraAdapterToGguf(adapter, { baseModelName: model.name }));
const engine = await createScoringEngine({ modelPath: base.path, mode: "exact", threads: 1 });
try {
  const tokens = holdout.reduce((a, s) => a + s.tokens.length - s.scoreFrom, 0);
  console.log(`demo base ${base.manifest.spec.baseType}, ${n} holdout examples, ${tokens} scored tokens`);
  for (const withAdapter of [false, true]) {
    for (const arithmetic of ["engine", "exact"] as const) {
      const gap = await measureReferenceGap({ engine, model, sequences: holdout, arithmetic, ...(withAdapter ? { adapter: { adapter, path: adapterPath } } : {}) });
      console.log(
        `${withAdapter ? "base + adapter" : "base          "}  reference=${arithmetic.padEnd(6)}  mean |Δ log p| ${gap.mean.toExponential(2)}  max ${gap.max.toExponential(2)}  within 1e-4: ${(gap.within1e4 * 100).toFixed(1)}%`,
      );
    }
  }
} finally {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
}
