import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import type { ContentStore } from "../../../coordinator/src/storage/types.js";
import { AdapterIntegrityError, InvalidRequestError, PromptTooLongError, ServerBusyError } from "../../../gateway/src/errors.js";
import { createServingEngine } from "../../../gateway/src/serving/createServingEngine.js";
import { GenerationAbortedError } from "../../../gateway/src/serving/errors.js";
import type { ServingEngine } from "../../../gateway/src/serving/types.js";
import { writeAdapter, writeModel } from "../eval/fixtures/scoringFixtures.js";

const dir = mkdtempSync(join(tmpdir(), "ingotforge-serving-"));
let store: LocalContentStore;
let engine: ServingEngine;
let rootA: Hex;
let rootB: Hex;
let foreignRoot: Hex;
const chat = (content: string) => ({ kind: "chat" as const, messages: [{ role: "user" as const, content }] });

beforeAll(async () => {
  const { model, path } = writeModel(dir, 11, "F32", { contextLength: 512 });
  const other = writeModel(dir, 12, "F32", { hiddenSize: 32, numHeads: 2, numKvHeads: 1, contextLength: 512 });
  store = await createLocalContentStore({ dir: join(dir, "store") });
  rootA = (await store.put(readFileSync(writeAdapter(dir, "a", model, 0.5).path))).root;
  rootB = (await store.put(readFileSync(writeAdapter(dir, "b", model, 0.5).path))).root;
  foreignRoot = (await store.put(readFileSync(writeAdapter(dir, "f", other.model).path))).root;
  engine = await createServingEngine({ modelPath: path, store, maxConcurrent: 2, maxQueue: 1, threads: 1, maxCompletionTokens: 48, maxContexts: 4 });
});
afterAll(async () => {
  await engine?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("createServingEngine", () => {
  it("generate_atTemperatureZero_isDeterministic_andEachAdapterChangesTheText", async () => {
    const prompt = engine.prepare(chat("unsafe { *p }"), { maxTokens: 24 });
    const a1 = await engine.generate({ adapterRoot: rootA, prompt });
    const a2 = await engine.generate({ adapterRoot: rootA, prompt });
    const b = await engine.generate({ adapterRoot: rootB, prompt });
    expect(a1).toEqual(a2);
    expect(a1.completionTokens).toBeGreaterThan(0);
    expect(a1.promptTokens).toBe(prompt.promptTokens);
    expect(b.text).not.toBe(a1.text);
  });

  it("generate_reusesOneContextPerAdapter_overOneLoadedBase", async () => {
    const prompt = engine.prepare(chat("fn main() {}"), { maxTokens: 4 });
    await engine.generate({ adapterRoot: rootA, prompt });
    await engine.generate({ adapterRoot: rootB, prompt });
    const before = engine.stats();
    await engine.generate({ adapterRoot: rootA, prompt });
    await engine.generate({ adapterRoot: rootB, prompt });
    expect(engine.stats().contextsCreated).toBe(before.contextsCreated);
    expect(engine.stats()).toMatchObject({ contexts: 2, adapters: 2, running: 0, queued: 0 });
  });

  it("generate_withMaxTokens_stopsAtLength_andIsAPrefixOfALongerGreedyRun", async () => {
    const long = await engine.generate({ adapterRoot: rootA, prompt: engine.prepare(chat("let x = 42;"), { maxTokens: 40 }) });
    const short = await engine.generate({ adapterRoot: rootA, prompt: engine.prepare(chat("let x = 42;"), { maxTokens: 5 }) });
    expect(long.completionTokens).toBeGreaterThan(5);
    expect(short).toMatchObject({ completionTokens: 5, finishReason: "length" });
    expect(long.text.startsWith(short.text)).toBe(true);
  });

  it("generate_streamsPiecesThatConcatenateToTheText", async () => {
    const pieces: string[] = [];
    let started = 0;
    const counts: number[] = [];
    const r = await engine.generate({ adapterRoot: rootA, prompt: engine.prepare(chat("raw pointer"), { maxTokens: 30 }), onStart: () => started++, onToken: (t, n) => (pieces.push(t), counts.push(n)) });
    expect(started).toBe(1);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(r.text);
    // Each piece carries the tokens generated so far: never falling, the last one all of them.
    expect(counts.every((n, i) => n >= 1 && (i === 0 || n >= counts[i - 1]))).toBe(true);
    expect(counts.at(-1)).toBe(r.completionTokens);
  });

  it("generate_inJsonMode_writesJsonThatParses_whereThePlainCallDoesNot", async () => {
    const plain = await engine.generate({ adapterRoot: rootA, prompt: engine.prepare(chat("give me json"), { maxTokens: 48 }) });
    expect(() => JSON.parse(plain.text)).toThrow();
    for (const root of [rootA, rootB]) {
      const r = await engine.generate({ adapterRoot: root, prompt: engine.prepare(chat("give me json"), { maxTokens: 48, format: { kind: "json" } }) });
      expect(r.finishReason).toBe("stop");
      expect(typeof JSON.parse(r.text)).toBe("object");
    }
  });

  it("generate_withAJsonSchema_writesJsonOfThatShape", async () => {
    const schema = { type: "object", properties: { safe: { type: "boolean" }, reason: { enum: ["aliasing", "alignment", "none"] } }, required: ["safe", "reason"] };
    const r = await engine.generate({ adapterRoot: rootA, prompt: engine.prepare(chat("is this sound"), { maxTokens: 48, format: { kind: "json_schema", schema } }) });
    expect(r.finishReason).toBe("stop");
    const value = JSON.parse(r.text);
    expect(Object.keys(value).sort()).toEqual(["reason", "safe"]);
    expect(typeof value.safe).toBe("boolean");
    expect(["aliasing", "alignment", "none"]).toContain(value.reason);
  });

  it.each<[string, unknown, RegExp]>([
    ["an unknown type", { type: "frobnicate" }, /type "frobnicate" at #\/type/],
    ["a pattern", { type: "object", properties: { a: { type: "string", pattern: "^x" } } }, /'pattern'.* at #\/properties\/a\/pattern/],
    ["a minimum", { type: "integer", minimum: 3 }, /'minimum'/],
    ["an unknown format", { type: "string", format: "email" }, /format "email"/],
    ["a dangling $ref", { $ref: "#/$defs/nope" }, /reference "#\/\$defs\/nope"/],
    ["anyOf", { anyOf: [{ type: "string" }] }, /'anyOf'/],
    ["a schema saying nothing", {}, /none of type, const, enum, oneOf or \$ref/],
  ])("prepare_refusesAJsonSchemaTheGrammarWouldNotEnforce_%s_namingTheKeyword", (_label, schema, message) => {
    const bad = () => engine.prepare(chat("x"), { format: { kind: "json_schema", schema: schema as Record<string, unknown> } });
    expect(bad).toThrow(InvalidRequestError);
    expect(bad).toThrow(expect.objectContaining({ param: "response_format.json_schema.schema", message: expect.stringMatching(message) }));
  });

  it("prepare_acceptsTheSubsetTheGrammarEnforces", () => {
    const schema = {
      $defs: { verdict: { enum: ["sound", "unsound"] } },
      type: "object",
      description: "a review",
      properties: { verdict: { $ref: "#/$defs/verdict" }, notes: { type: "array", items: { type: "string", maxLength: 40 }, maxItems: 3 }, at: { type: "string", format: "date" }, score: { oneOf: [{ type: "integer" }, { type: "null" }] } },
      required: ["verdict"],
      additionalProperties: false,
    };
    expect(engine.prepare(chat("x"), { format: { kind: "json_schema", schema } }).grammar).toBeDefined();
  });

  it("generate_withAStopString_endsBeforeIt", async () => {
    const prompt = engine.prepare(chat("unsafe { *p }"), { maxTokens: 24 });
    const full = await engine.generate({ adapterRoot: rootA, prompt });
    const stop = full.text.slice(4, 6);
    const cut = await engine.generate({ adapterRoot: rootA, prompt, stop: [stop] });
    expect(cut.finishReason).toBe("stop");
    expect(cut.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
  });

  it("generate_withSeededTemperature_repeatsForTheSameSeed", async () => {
    const prompt = engine.prepare(chat("Send and Sync"), { maxTokens: 16 });
    const r1 = await engine.generate({ adapterRoot: rootA, prompt, sampling: { temperature: 1.5, seed: 7 } });
    const r2 = await engine.generate({ adapterRoot: rootA, prompt, sampling: { temperature: 1.5, seed: 7 } });
    expect(r1.text).toBe(r2.text);
  });

  it("generate_whenAbortedMidStream_stopsAndRejectsAborted", async () => {
    const controller = new AbortController();
    let pieces = 0;
    const call = engine.generate({
      adapterRoot: rootA,
      prompt: engine.prepare(chat("unsafe { *p }"), { maxTokens: 40 }),
      signal: controller.signal,
      onToken: () => ++pieces === 2 && controller.abort(),
    });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenerationAbortedError);
    expect((error as GenerationAbortedError).completionTokens).toBeLessThan(40);
    expect(engine.stats().running).toBe(0);
  });

  it("generate_pastQueueLimit_throwsServerBusy", async () => {
    const prompt = engine.prepare(chat("x"), { maxTokens: 20 });
    const calls = [0, 1, 2].map(() => engine.generate({ adapterRoot: rootA, prompt }));
    const refused = await engine.generate({ adapterRoot: rootA, prompt }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServerBusyError);
    expect(refused).toMatchObject({ running: 2, queued: 1, queueLimit: 1 });
    const done = await Promise.all(calls);
    // Calls batched together in one context give what a call alone gives.
    const alone = await engine.generate({ adapterRoot: rootA, prompt });
    expect(done).toEqual([alone, alone, alone]);
  });

  it("prepare_whenPromptAndMaxTokensExceedTheContext_throwsPromptTooLong", () => {
    const longText = "unsafe impl Send for Foo {} ".repeat(120);
    expect(() => engine.prepare(chat(longText), { maxTokens: 8 })).toThrow(PromptTooLongError);
    expect(() => engine.prepare({ kind: "text", text: longText })).toThrow(PromptTooLongError);
    const fits = engine.prepare(chat("hi"));
    expect(fits.maxTokens).toBe(Math.min(48, engine.contextSize - fits.promptTokens));
  });

  it("prepare_withMaxTokensOverTheCapOrEmptyPrompt_isAnInvalidRequest", () => {
    expect(() => engine.prepare(chat("hi"), { maxTokens: 49 })).toThrow(InvalidRequestError);
    expect(() => engine.prepare(chat("hi"), { maxTokens: 0 })).toThrow(InvalidRequestError);
    expect(() => engine.prepare({ kind: "text", text: "" })).toThrow(InvalidRequestError);
  });

  it("generate_whenTheStoredAdapterWasAltered_throwsAdapterIntegrity", async () => {
    const bytes = readFileSync(writeAdapter(dir, "c", writeModel(dir, 11, "F32", { contextLength: 512 }).model).path);
    const { root } = await store.put(bytes);
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.length - 1] ^= 1;
    writeFileSync(store.pathOf(root), tampered);
    const error = await engine.generate({ adapterRoot: root, prompt: engine.prepare(chat("x"), { maxTokens: 2 }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterIntegrityError);
    expect((error as AdapterIntegrityError).adapterRoot).toBe(root);
  });

  it("generate_whenTheStoreHandsBackOtherBytesUnchecked_reHashesAndRefuses", async () => {
    const lying: ContentStore = { kind: "local", put: store.put, has: async () => true, get: async () => store.get(rootB) };
    const liar = await createServingEngine({ modelPath: writeModel(dir, 11, "F32", { contextLength: 512 }).path, store: lying, maxConcurrent: 1, maxQueue: 0, threads: 1 });
    try {
      const error = await liar.generate({ adapterRoot: rootA, prompt: liar.prepare(chat("x"), { maxTokens: 2 }) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdapterIntegrityError);
      expect((error as Error).message).toContain(rootB);
    } finally {
      await liar.dispose();
    }
  });

  it("generate_withAnAdapterForAnotherBaseOrAnUnknownRoot_throwsAdapterIntegrity", async () => {
    const prompt = engine.prepare(chat("x"), { maxTokens: 2 });
    await expect(engine.generate({ adapterRoot: foreignRoot, prompt })).rejects.toThrow(/not a LoRA adapter for this base/);
    await expect(engine.generate({ adapterRoot: `0x${"ab".repeat(32)}`, prompt })).rejects.toThrow(/not in the local content store/);
    // The engine still serves good adapters afterwards.
    expect((await engine.generate({ adapterRoot: rootA, prompt })).completionTokens).toBeGreaterThan(0);
  });
});
