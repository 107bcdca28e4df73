import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../coordinator/src/eval/cli/runCli.js";
import { tokenizeExample } from "../../../coordinator/src/eval/dataset/tokenizeExample.js";
import { createScoringEngine } from "../../../coordinator/src/eval/engine/createScoringEngine.js";
import { perplexity } from "../../../coordinator/src/eval/engine/perplexity.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { createTokenizer } from "../../../coordinator/src/eval/tokenizer/createTokenizer.js";
import { fixtureTokenizer, tinyConfig } from "./fixtures/tinyModels.js";

/** Runs the CLI in-process and collects what it prints. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  let err = "";
  const code = await runCli(argv, { out: (t) => out.push(t), err: { write: (t: string) => (err += t) }, signal: new AbortController().signal });
  return { code, out: out.join("\n"), err };
}

const line = (id: string, prompt: string, response: string) => JSON.stringify({ id, prompt, response });
const RELEVANT = [
  line("r1", "Is `*p` sound?", "Soundness: UNSOUND. p may be null."),
  line("r2", "Review `from_raw_parts(p, n)`.", "Soundness: sound. p is valid for n reads."),
  line("r3", "Is `transmute::<u32, f32>(x)` sound?", "Soundness: sound. Same size, every bit pattern is valid."),
];
const HOLDOUT = [line("h1", "Is `*q` sound?", "Soundness: UNSOUND. q may dangle."), line("h2", "Review `get_unchecked(i)`.", "Soundness: sound. i < len holds.")];

let dir: string;
let modelPath: string;
const file = (name: string, lines: string[]) => {
  const p = join(dir, name);
  writeFileSync(p, `${lines.join("\n")}\n`);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ingotforge-cli-test-"));
  const model = createRandomModel({ seed: "cli", config: tinyConfig({ contextLength: 512 }), tensorType: "Q8_0", tokenizer: fixtureTokenizer(), weightScale: 0.5 });
  modelPath = join(dir, "base.gguf");
  writeFileSync(modelPath, modelToGguf(model));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("eval validate", () => {
  it("accepts a valid file with exit code 0", async () => {
    const r = await cli("validate", file("ok.jsonl", RELEVANT));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/3 examples, all valid/);
  });

  it("reports every bad line with its number and reason, and exits 1", async () => {
    const p = file("bad.jsonl", [RELEVANT[0], "{not json", line("r1", "dup id", "x"), JSON.stringify({ id: "x", prompt: "p" }), RELEVANT[1]]);
    const r = await cli("validate", p);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${p}:2: bad-json:`);
    expect(r.out).toContain(`${p}:3: duplicate-id:`);
    expect(r.out).toContain(`${p}:4: missing-field: missing field "response"`);
    expect(r.out).toMatch(/3 invalid lines, 2 valid examples/);
  });

  it("fails clearly on a missing file and on a wrong command line", async () => {
    const missing = await cli("validate", join(dir, "nope.jsonl"));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read .*nope\.jsonl/);
    const usage = await cli("validate");
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/usage: eval validate/);
    expect((await cli("frobnicate")).code).toBe(2);
  });
});

describe("eval score", () => {
  it("prints per-example NLL and the perplexity llama.cpp gives for the same sequences", async () => {
    const data = file("holdout.jsonl", HOLDOUT);
    const r = await cli("score", "--threads", "1", "--model", modelPath, "--data", data, "--json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { perplexity: number; examples: { id: string; nll: number; tokens: number }[] };
    expect(json.examples.map((e) => e.id)).toEqual(["h1", "h2"]);

    const tok = createTokenizer(fixtureTokenizer());
    const engine = await createScoringEngine({ modelPath, mode: "exact", threads: 1 });
    try {
      const scores = await engine.scoreSequences(HOLDOUT.map((l) => tokenizeExample(tok, JSON.parse(l))));
      expect(json.examples.map((e) => e.nll)).toEqual(scores.map((s) => s.nll));
      expect(json.perplexity).toBe(perplexity(scores));
    } finally {
      await engine.dispose();
    }
    const table = await cli("score", "--threads", "1", "--model", modelPath, "--data", data);
    expect(table.out).toMatch(/2 examples, \d+ response tokens: .* perplexity \d+\.\d{4} \(exact mode, base model\)/);
  });

  it("refuses a bad mode (exit 2), and a data file with bad lines before loading any model (exit 1)", async () => {
    const bad = await cli("score", "--threads", "1", "--model", modelPath, "--data", file("h.jsonl", HOLDOUT), "--mode", "turbo");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--mode must be exact or fast/);
    const lines = await cli("score", "--threads", "1", "--model", modelPath, "--data", file("broken.jsonl", [HOLDOUT[0], "[]"]));
    expect(lines.code).toBe(1);
    expect(lines.err).toMatch(/line 2: /);
    const notModel = await cli("score", "--threads", "1", "--model", file("fake.gguf", ["not a gguf"]), "--data", file("h2.jsonl", HOLDOUT));
    expect(notModel.code).toBe(1);
    expect(notModel.err).toMatch(/fake\.gguf/);
  });
});

describe("eval train", () => {
  it("writes an adapter, prints its hash, gives the same hash on a rerun, and the adapter changes the score", async () => {
    const data = file("train.jsonl", RELEVANT);
    const out = join(dir, "adapter.gguf");
    const args = ["train", "--model", modelPath, "--data", data, "--out", out, "--steps", "2", "--rank", "4", "--batch", "2", "--lr", "1e-2", "--seed", "7"];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    const hash = /adapter hash ([0-9a-f]{64})/.exec(first.out)?.[1];
    expect(hash).toBeDefined();
    const bytes = readFileSync(out);
    const second = await cli(...args);
    expect(second.out).toContain(`adapter hash ${hash}`);
    expect(readFileSync(out).equals(bytes)).toBe(true);

    const holdout = file("h3.jsonl", HOLDOUT);
    const base = JSON.parse((await cli("score", "--threads", "1", "--model", modelPath, "--data", holdout, "--json")).out).perplexity;
    const tuned = JSON.parse((await cli("score", "--threads", "1", "--model", modelPath, "--data", holdout, "--adapter", out, "--json")).out).perplexity;
    expect(tuned).not.toBe(base);
  });

  it("refuses unknown LoRA targets and both --steps and --epochs", async () => {
    const data = file("t.jsonl", RELEVANT);
    const r = await cli("train", "--model", modelPath, "--data", data, "--out", join(dir, "x.gguf"), "--targets", "attn_q,wings");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown --targets wings/);
    expect((await cli("train", "--model", modelPath, "--data", data, "--out", join(dir, "x.gguf"), "--steps", "2", "--epochs", "1")).code).toBe(2);
  });
});

describe("eval attribute", () => {
  it("prints a table with the duplicate at zero and trains nothing when rerun on the same cache", async () => {
    const cache = join(dir, "cache");
    const args = [
      "attribute", "--model", modelPath, "--holdout", file("ah.jsonl", HOLDOUT),
      "--contrib", `alice=${file("alice.jsonl", RELEVANT)}`,
      "--contrib", `copy=${file("copy.jsonl", [RELEVANT[1], RELEVANT[0]])}`,
      "--contrib", `other=${file("other.jsonl", [line("o1", "How long to boil an egg?", "Nine minutes for a firm yolk.")])}`,
      // A near copy of alice's first two examples (a trailing space on each prompt): a copy all the same.
      "--contrib", `near=${file("near.jsonl", [line("n1", "Is `*p` sound? ", "Soundness: UNSOUND. p may be null."), line("n2", "Review `from_raw_parts(p, n)`. ", "Soundness: sound. p is valid for n reads.")])}`,
      "--seeds", "1", "--steps", "2", "--cache", cache, "--threads", "1",
    ];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^copy\s+duplicate\s+0\/2\s+\+0\.00000/m);
    expect(first.out).toMatch(/^alice\s+(included|excluded)\s+3\/3/m);
    expect(first.out).toMatch(/^near\s+duplicate\s+0\/2\s+\+0\.00000 .*2 of 2 examples are copies \(2 normalized\), earn nothing: duplicate-of alice:0, alice:1$/m);
    expect(first.out).toMatch(/^copy\s+duplicate\s+0\/2 .*duplicate-of alice:1, alice:0$/m);
    expect(first.out).toMatch(/4 coalitions; 3 \(coalition, seed\) utilities computed, 0 from the utility cache; 3 adapters trained, 1 reused/);
    expect(first.out).toMatch(/score vector \(1e18 fixed point\): \[-?\d+, 0, -?\d+, 0\]/);
    const again = await cli(...args);
    expect(again.out).toMatch(/0 \(coalition, seed\) utilities computed, 4 from the utility cache; 0 adapters trained, 1 reused/);
    expect(again.out.split("\n").filter((l) => /^(alice|copy|other|near) /.test(l))).toEqual(first.out.split("\n").filter((l) => /^(alice|copy|other|near) /.test(l)));
  });

  it("refuses a malformed --contrib and a repeated name", async () => {
    const h = file("ah2.jsonl", HOLDOUT);
    const bad = await cli("attribute", "--model", modelPath, "--holdout", h, "--contrib", "alice");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--contrib takes name=file\.jsonl/);
    const a = file("a2.jsonl", RELEVANT);
    const twice = await cli("attribute", "--model", modelPath, "--holdout", h, "--contrib", `x=${a}`, "--contrib", `x=${a}`);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/used twice/);
  });
});
