import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { createScoringEngine, type ScoringEngine } from "../../../coordinator/src/eval/engine/createScoringEngine.js";
import { perplexity } from "../../../coordinator/src/eval/engine/perplexity.js";
import {
  ScoringAbortedError,
  ScoringInputError,
  ScoringSequenceTooLongError,
} from "../../../coordinator/src/eval/engine/errors.js";
import type { ScoringProgress } from "../../../coordinator/src/eval/engine/types.js";
import { GgufValidationError } from "../../../coordinator/src/eval/gguf/errors.js";
import { readGguf, ggufTensorData } from "../../../coordinator/src/eval/gguf/readGguf.js";
import { writeGguf } from "../../../coordinator/src/eval/gguf/writeGguf.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { gap, randomSequences, writeAdapter, writeModel } from "./fixtures/scoringFixtures.js";

let dir: string;
let llama: Llama;
let engine: ScoringEngine;
let fixture: ReturnType<typeof writeModel>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "scoring-"));
  fixture = writeModel(dir, 51, "Q8_0");
  llama = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error });
  engine = await createScoringEngine({ modelPath: fixture.path, mode: "exact", threads: 2, llama });
});
afterAll(async () => {
  await engine?.dispose();
  await llama?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("perplexity", () => {
  it("is exp of total NLL over total scored tokens", () => {
    expect(perplexity([{ nll: 2, tokens: 1 }, { nll: 4, tokens: 3 }])).toBeCloseTo(Math.exp(6 / 4), 12);
    expect(() => perplexity([{ nll: 0, tokens: 0 }])).toThrow(ScoringInputError);
  });
});

describe("createScoringEngine", () => {
  it("rejects a GGUF missing a key that would abort llama.cpp, before loading it", async () => {
    const file = readGguf(modelToGguf(fixture.model));
    file.metadata.delete("qwen2.feed_forward_length");
    const path = join(dir, "broken.gguf");
    writeFileSync(path, writeGguf({ metadata: file.metadata, tensors: file.tensors.map((t) => ({ ...t, data: ggufTensorData(file, t) })) }));
    await expect(createScoringEngine({ modelPath: path, mode: "exact" })).rejects.toThrow(GgufValidationError);
    await expect(createScoringEngine({ modelPath: path, mode: "exact" })).rejects.toThrow(/qwen2.feed_forward_length is missing/);
  });

  it("scores positions scoreFrom.. with nll = −Σ log p and a token count", async () => {
    const sequences = randomSequences("counts", 3, 320, 20);
    sequences.push({ id: "nothing-scored", tokens: [1, 2, 3], scoreFrom: 3 });
    const scores = await engine.scoreSequences(sequences);
    expect(scores.map((s) => s.id)).toEqual(sequences.map((s) => s.id));
    scores.forEach((s, i) => {
      expect(s.tokens).toBe(sequences[i].tokens.length - sequences[i].scoreFrom);
      expect(s.tokenLogProbs).toHaveLength(s.tokens);
      expect(s.nll).toBeCloseTo(-s.tokenLogProbs.reduce((a, b) => a + b, 0), 9);
      for (const lp of s.tokenLogProbs) expect(lp).toBeLessThan(0);
    });
    expect(scores[3]).toEqual({ id: "nothing-scored", nll: 0, tokens: 0, tokenLogProbs: [] });
  });

  it("rejects a sequence longer than the context before scoring anything", async () => {
    const progress: ScoringProgress[] = [];
    const sequences = [...randomSequences("long", 2, 320, 10), { id: "too-long", tokens: new Array(128).fill(1), scoreFrom: 1 }];
    const error = await engine.scoreSequences(sequences, { onProgress: (p) => progress.push(p) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScoringSequenceTooLongError);
    expect(error).toMatchObject({ sequenceId: "too-long", length: 128, maxLength: 127 });
    expect(progress).toEqual([]);
    // The longest accepted sequence scores fine.
    await expect(engine.scoreSequences([{ id: "fits", tokens: new Array(127).fill(1), scoreFrom: 126 }])).resolves.toHaveLength(1);
  });

  it("rejects tokens outside the vocabulary, scoreFrom 0 and duplicate ids with the sequence named", async () => {
    await expect(engine.scoreSequences([{ id: "x", tokens: [1, 320], scoreFrom: 1 }])).rejects.toThrow(/sequence x: token 320 at 1 is outside the vocabulary of 320/);
    await expect(engine.scoreSequences([{ id: "y", tokens: [1, 2], scoreFrom: 0 }])).rejects.toThrow(/sequence y: scoreFrom 0/);
    await expect(engine.scoreSequences([{ id: "z", tokens: [1, 2], scoreFrom: 1 }, { id: "z", tokens: [1, 2], scoreFrom: 1 }])).rejects.toThrow(/z appears twice/);
  });

  it("reports progress with counts and stops on abort, handing back the finished scores", async () => {
    const sequences = randomSequences("progress", 5, 320, 12);
    const progress: ScoringProgress[] = [];
    const controller = new AbortController();
    const error = await engine
      .scoreSequences(sequences, {
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p);
          if (p.sequencesDone === 2) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScoringAbortedError);
    expect((error as ScoringAbortedError).completed.map((s) => s.id)).toEqual([sequences[0].id, sequences[1].id]);
    expect(progress.map((p) => [p.sequencesDone, p.sequencesTotal, p.tokensDone, p.tokensTotal])).toEqual([
      [1, 5, sequences[0].tokens.length, sequences.reduce((a, s) => a + s.tokens.length, 0)],
      [2, 5, sequences[0].tokens.length + sequences[1].tokens.length, sequences.reduce((a, s) => a + s.tokens.length, 0)],
    ]);
    expect(progress[1].tokensPerSecond).toBeGreaterThan(0);
    // Resuming: scoring the rest gives what a full run gives for them.
    const rest = await engine.scoreSequences(sequences.slice(2));
    expect(rest).toEqual((await engine.scoreSequences(sequences)).slice(2));
  });

  it("gives bit-identical log-probs in exact mode across calls, sequence orders and a fresh engine", async () => {
    const sequences = randomSequences("determinism", 4, 320, 30);
    const { path: adapterPath } = writeAdapter(dir, "determinism", fixture.model);
    const first = await engine.scoreSequences(sequences, { adapterPath });
    expect(await engine.scoreSequences(sequences, { adapterPath })).toEqual(first);
    const reversed = await engine.scoreSequences([...sequences].reverse(), { adapterPath });
    expect([...reversed].reverse()).toEqual(first);
    const fresh = await createScoringEngine({ modelPath: fixture.path, mode: "exact", threads: 1 });
    try {
      expect(await fresh.scoreSequences(sequences, { adapterPath })).toEqual(first);
    } finally {
      await fresh.dispose();
    }
  });

  it("loads an adapter by content, so a rewritten adapter file is never scored with stale weights", async () => {
    const sequences = randomSequences("adapter-content", 2, 320, 20);
    const a = writeAdapter(dir, "content-a", fixture.model);
    const b = writeAdapter(dir, "content-b", fixture.model);
    const path = join(dir, "adapter-reused-path.gguf");
    copyFileSync(a.path, path);
    const withA = await engine.scoreSequences(sequences, { adapterPath: path });
    copyFileSync(b.path, path);
    const withB = await engine.scoreSequences(sequences, { adapterPath: path });
    expect(withB).not.toEqual(withA);
    expect(withB).toEqual(await engine.scoreSequences(sequences, { adapterPath: b.path }));
    expect(await engine.scoreSequences(sequences)).not.toEqual(withA);
  });

  it("shares one llama.cpp binding between engines and leaves it alive when one is disposed", async () => {
    const shared = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error });
    const sequences = randomSequences("shared", 2, 320, 15);
    try {
      const a = await createScoringEngine({ modelPath: fixture.path, mode: "exact", llama: shared });
      const b = await createScoringEngine({ modelPath: fixture.path, mode: "exact", llama: shared });
      const first = await a.scoreSequences(sequences);
      await a.dispose();
      expect(await b.scoreSequences(sequences)).toEqual(first);
      await b.dispose();
      expect(shared.disposed).toBe(false);
      await expect(a.scoreSequences(sequences)).rejects.toThrow(/disposed; create a new one/);
    } finally {
      await shared.dispose();
    }
  });

  it("reloads the model to free cached adapters past maxCachedAdapters, with unchanged scores", async () => {
    const small = await createScoringEngine({ modelPath: fixture.path, mode: "exact", threads: 2, llama, maxCachedAdapters: 2 });
    try {
      const sequences = randomSequences("reload", 2, 320, 12);
      const adapters = ["r1", "r2", "r3"].map((seed) => writeAdapter(dir, seed, fixture.model).path);
      const first = await small.scoreSequences(sequences, { adapterPath: adapters[0] });
      await small.scoreSequences(sequences, { adapterPath: adapters[1] });
      await small.scoreSequences(sequences, { adapterPath: adapters[0] }); // cached: no reload
      expect(small.modelLoads).toBe(1);
      // Concurrent calls are serialized, so the reload never pulls the model from under a context.
      const [third, again] = await Promise.all([
        small.scoreSequences(sequences, { adapterPath: adapters[2] }),
        small.scoreSequences(sequences, { adapterPath: adapters[0] }),
      ]);
      expect(small.modelLoads).toBe(2);
      expect(again).toEqual(first);
      expect(third).not.toEqual(first);
    } finally {
      await small.dispose();
    }
  });

  it("rejects an adapter that does not fit the base model", async () => {
    const other = writeModel(dir, 52, "F32", { intermediateSize: 64 });
    const { path } = writeAdapter(dir, "misfit", other.model);
    await expect(engine.scoreSequences(randomSequences("misfit", 1, 320, 5), { adapterPath: path })).rejects.toThrow(
      /blk.1.ffn_down.weight: adapter maps 64 → 64, base tensor is \[128, 64\]/,
    );
  });

  /*
   * Fast mode = llama.cpp defaults (F16 KV cache, flash attention auto). Measured against exact
   * mode on random tiny F32 models (3 seeds, 4 sequences of 40–61 tokens): mean |Δ log p|
   * 2.4–2.8e-4 and max 1.5–1.7e-3 without an adapter; 6.7–8.6e-4 and up to 1.05e-2 with one.
   * Asserted with ~3× headroom: mean ≤ 3e-3, max ≤ 3e-2; and it is not bit-identical to exact.
   */
  it("keeps fast mode within its documented deviation from exact mode", async () => {
    const f32 = writeModel(dir, 53, "F32");
    const { path: adapterPath } = writeAdapter(dir, "fast", f32.model);
    const sequences = randomSequences("fast", 3, 320, 40);
    const exact = await createScoringEngine({ modelPath: f32.path, mode: "exact", threads: 2, llama });
    const fast = await createScoringEngine({ modelPath: f32.path, mode: "fast", threads: 2, llama });
    try {
      for (const options of [{}, { adapterPath }]) {
        const a = (await exact.scoreSequences(sequences, options)).map((s) => s.tokenLogProbs);
        const b = (await fast.scoreSequences(sequences, options)).map((s) => s.tokenLogProbs);
        const g = gap(a, b);
        expect(g.mean).toBeLessThan(3e-3);
        expect(g.max).toBeLessThan(3e-2);
        expect(g.max).toBeGreaterThan(0);
      }
    } finally {
      await exact.dispose();
      await fast.dispose();
    }
  });

  it("runs the benchmark baselines over the same tokens: every scored position without readback, last position only for prompts", async () => {
    const sequences = randomSequences("bench", 3, 320, 30);
    const total = sequences.reduce((a, s) => a + s.tokens.length, 0);
    const scored = sequences.reduce((a, s) => a + s.tokens.length - s.scoreFrom, 0);
    await expect(engine.evaluateWithoutReadback(sequences)).resolves.toEqual({ tokens: total, logitPositions: scored });
    await expect(engine.evaluatePrompts(sequences)).resolves.toEqual({ tokens: total, logitPositions: sequences.length });
    const { path: adapterPath } = writeAdapter(dir, "bench", fixture.model);
    await expect(engine.evaluateWithoutReadback(sequences, { adapterPath })).resolves.toEqual({ tokens: total, logitPositions: scored });
  });
});
