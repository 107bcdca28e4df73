import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dedupeContributions } from "../../../coordinator/src/eval/attribution/dedupeContributions.js";
import { exampleHash } from "../../../coordinator/src/eval/dataset/exampleHash.js";
import { demoContributions } from "../../../coordinator/src/eval/demo/demoContributions.js";
import { DEMO_MODEL_SPEC, type DemoModelSpec } from "../../../coordinator/src/eval/demo/demoModelSpec.js";
import { demoModelCacheKey, ensureDemoBaseModel, type DemoModelProgress } from "../../../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { DemoAbortedError, DemoDataError } from "../../../coordinator/src/eval/demo/errors.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";

/** A model small enough to pretrain in about a second: the real build procedure, tiny shapes. */
const TINY_SPEC: DemoModelSpec = {
  ...DEMO_MODEL_SPEC,
  vocabSize: 300,
  config: { ...DEMO_MODEL_SPEC.config, hiddenSize: 32, numLayers: 1, intermediateSize: 64, numHeads: 2, numKvHeads: 1, contextLength: 64 },
  chunkTokens: 32,
  pretrain: { ...DEMO_MODEL_SPEC.pretrain, batchSize: 2, steps: 4, warmupSteps: 1 },
  checkpointEvery: 1,
};

let dir: string;
let corpusPath: string;
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ingotforge-demo-test-"));
  corpusPath = join(dir, "corpus.txt");
  writeFileSync(corpusPath, readFileSync("data/demo/pretrain-corpus.txt", "utf8").slice(0, 3000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("demoModelCacheKey", () => {
  const corpus = new TextEncoder().encode("some corpus text");
  const base = demoModelCacheKey(corpus, TINY_SPEC);

  it("is the same for the same corpus bytes and spec", () => {
    expect(demoModelCacheKey(new TextEncoder().encode("some corpus text"), structuredClone(TINY_SPEC))).toBe(base);
  });

  it("changes when one byte of the corpus changes", () => {
    expect(demoModelCacheKey(new TextEncoder().encode("some corpus texT"), TINY_SPEC)).not.toBe(base);
  });

  it("changes when any field of the spec changes (config, tokenizer, chunking, init, seed, optimizer, base type)", () => {
    const variants: DemoModelSpec[] = [
      { ...TINY_SPEC, vocabSize: 301 },
      { ...TINY_SPEC, config: { ...TINY_SPEC.config, hiddenSize: 64 } },
      { ...TINY_SPEC, config: { ...TINY_SPEC.config, numKvHeads: 2 } },
      { ...TINY_SPEC, config: { ...TINY_SPEC.config, ropeTheta: 1e6 } },
      { ...TINY_SPEC, chunkTokens: 33 },
      { ...TINY_SPEC, initScale: 0.51 },
      { ...TINY_SPEC, seed: "other" },
      { ...TINY_SPEC, pretrain: { ...TINY_SPEC.pretrain, learningRate: 1e-3 } },
      { ...TINY_SPEC, pretrain: { ...TINY_SPEC.pretrain, steps: 5 } },
      { ...TINY_SPEC, pretrain: { ...TINY_SPEC.pretrain, betas: [0.9, 0.99] } },
      { ...TINY_SPEC, baseType: "Q8_0" },
      { ...TINY_SPEC, checkpointEvery: 2 },
    ];
    const keys = variants.map((v) => demoModelCacheKey(corpus, v));
    expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
  });
});

describe("ensureDemoBaseModel", () => {
  it("builds a loadable quantized qwen2 base, returns it from the cache on the second call, and a rebuild elsewhere is bit-identical", async () => {
    const first = await ensureDemoBaseModel({ cacheDir: join(dir, "a"), corpusPath, spec: TINY_SPEC });
    expect(first.built).toBe(true);
    const model = ggufToModel(new Uint8Array(readFileSync(first.path)));
    expect(model.config).toMatchObject({ vocabSize: 300, hiddenSize: 32, numLayers: 1, contextLength: 64 });
    expect(model.tensors.get("blk.0.attn_q.weight")!.type).toBe("Q4_0");
    expect(model.tensors.get("blk.0.attn_norm.weight")!.type).toBe("F32");
    expect(first.manifest.pretrain.steps).toBe(4);

    const t = performance.now();
    const again = await ensureDemoBaseModel({ cacheDir: join(dir, "a"), corpusPath, spec: TINY_SPEC });
    expect(again).toMatchObject({ built: false, path: first.path, key: first.key });
    expect(performance.now() - t).toBeLessThan(1000);

    const elsewhere = await ensureDemoBaseModel({ cacheDir: join(dir, "b"), corpusPath, spec: TINY_SPEC });
    expect(elsewhere.built).toBe(true);
    expect(sha(elsewhere.path)).toBe(sha(first.path));
    expect(elsewhere.manifest.gguf.sha256).toBe(first.manifest.gguf.sha256);
  });

  it("stops on abort with the pretraining state saved, and the next call resumes to the same bytes", async () => {
    const reference = await ensureDemoBaseModel({ cacheDir: join(dir, "a"), corpusPath, spec: TINY_SPEC });
    const controller = new AbortController();
    const cacheDir = join(dir, "resume");
    await expect(
      ensureDemoBaseModel({
        cacheDir, corpusPath, spec: TINY_SPEC, signal: controller.signal,
        onProgress: (p) => p.phase === "pretrain" && p.step === 2 && controller.abort(),
      }),
    ).rejects.toBeInstanceOf(DemoAbortedError);
    const folder = join(cacheDir, "demo-model", reference.key);
    expect(existsSync(join(folder, "pretrain-state.bin"))).toBe(true);
    expect(existsSync(join(folder, "model.gguf"))).toBe(false);

    const events: DemoModelProgress[] = [];
    const resumed = await ensureDemoBaseModel({ cacheDir, corpusPath, spec: TINY_SPEC, onProgress: (p) => events.push(p) });
    expect(events[0]).toEqual({ phase: "resume", step: 2 });
    expect(events.filter((e) => e.phase === "pretrain").map((e) => (e as { step: number }).step)).toEqual([3, 4]);
    expect(sha(resumed.path)).toBe(sha(reference.path));
    expect(existsSync(join(folder, "pretrain-state.bin"))).toBe(false);
  });

  it("rebuilds when the cached model file was corrupted", async () => {
    const cacheDir = join(dir, "corrupt");
    const first = await ensureDemoBaseModel({ cacheDir, corpusPath, spec: TINY_SPEC });
    const bytes = readFileSync(first.path);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(first.path, bytes);
    const again = await ensureDemoBaseModel({ cacheDir, corpusPath, spec: TINY_SPEC });
    expect(again.built).toBe(true);
    expect(sha(again.path)).toBe(first.manifest.gguf.sha256);
  });

  it("names the corpus it cannot read", async () => {
    await expect(ensureDemoBaseModel({ cacheDir: dir, corpusPath: join(dir, "missing.txt"), spec: TINY_SPEC })).rejects.toThrow(DemoDataError);
    await expect(ensureDemoBaseModel({ cacheDir: dir, corpusPath: join(dir, "missing.txt"), spec: TINY_SPEC })).rejects.toThrow(/missing\.txt/);
  });
});

describe("demoContributions", () => {
  it("builds the copycat from half of alice plus four of bob's, so de-duplication leaves it only bob's four", async () => {
    const demo = await demoContributions();
    expect(demo.contributions.map((c) => c.id)).toEqual(["alice", "copycat", "control"]);
    expect(demo.holdout).toHaveLength(46);
    const [alice, copycat] = demo.contributions;
    expect(copycat.examples).toHaveLength(18);
    expect(new Set(copycat.examples.map((e) => e.id)).size).toBe(18);
    const deduped = dedupeContributions(demo.contributions.map((c) => ({ id: c.id, exampleHashes: c.examples.map(exampleHash) })));
    const copy = deduped.contributions[1];
    expect(copy.keptHashes).toHaveLength(4);
    expect(copy.duplicates).toHaveLength(14);
    expect(copy.duplicates.every((d) => d.firstSeenIn === "alice")).toBe(true);
    expect(deduped.contributions[0].keptHashes).toHaveLength(alice.examples.length);
  });

  it("gives the five-contributor benchmark lineup in on-chain order", async () => {
    const five = await demoContributions({ scenario: "five" });
    expect(five.contributions.map((c) => [c.id, c.examples.length])).toEqual([["alice", 28], ["bob", 28], ["carol", 27], ["dave", 28], ["control", 28]]);
  });
});
