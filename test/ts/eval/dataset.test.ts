import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SYSTEM_PROMPT } from "../../../coordinator/src/eval/dataset/chatTemplate.js";
import { DatasetError } from "../../../coordinator/src/eval/dataset/DatasetError.js";
import { exampleHash } from "../../../coordinator/src/eval/dataset/exampleHash.js";
import { formatChatExample } from "../../../coordinator/src/eval/dataset/formatChatExample.js";
import {
  MAX_FILE_BYTES,
  MAX_ID_LENGTH,
  MAX_LINE_BYTES,
  MAX_LINES,
  MAX_PROMPT_BYTES,
  MAX_RESPONSE_BYTES,
} from "../../../coordinator/src/eval/dataset/limits.js";
import { parseDatasetJsonl } from "../../../coordinator/src/eval/dataset/parseDatasetJsonl.js";
import { parseDatasetJsonlStrict } from "../../../coordinator/src/eval/dataset/parseDatasetJsonlStrict.js";
import { tokenizeExample, type ChatTokenizer } from "../../../coordinator/src/eval/dataset/tokenizeExample.js";
import type { DatasetExample } from "../../../coordinator/src/eval/dataset/types.js";
import { createTokenizer } from "../../../coordinator/src/eval/tokenizer/createTokenizer.js";
import { trainBpeTokenizer } from "../../../coordinator/src/eval/tokenizer/trainBpeTokenizer.js";

const enc = new TextEncoder();
const line = (o: unknown) => JSON.stringify(o);
const ex = (i: number): DatasetExample => ({ id: `ex-${i}`, prompt: `prompt ${i}`, response: `response ${i}` });
const file = (...lines: string[]) => enc.encode(lines.join("\n") + "\n");

/** Parses a file whose line 2 is `bad` between two good lines; returns the single error. */
function refuse(bad: string | Uint8Array) {
  const badBytes = typeof bad === "string" ? enc.encode(bad) : bad;
  const bytes = new Uint8Array([...enc.encode(line(ex(1)) + "\n"), ...badBytes, ...enc.encode("\n" + line(ex(3)) + "\n")]);
  const { examples, errors } = parseDatasetJsonl(bytes);
  expect(examples.map((e) => e.id)).toEqual(["ex-1", "ex-3"]);
  expect(errors).toHaveLength(1);
  expect(errors[0].line).toBe(2);
  return errors[0];
}

describe("parseDatasetJsonl", () => {
  it("returns every example of a clean file in order, with no errors", () => {
    const { examples, errors } = parseDatasetJsonl(file(line(ex(1)), line(ex(2)), line(ex(3))));
    expect(errors).toEqual([]);
    expect(examples).toEqual([ex(1), ex(2), ex(3)]);
  });

  it("accepts CRLF line endings, a UTF-8 byte order mark and a last line without newline", () => {
    const bytes = enc.encode("\uFEFF" + line(ex(1)) + "\r\n" + line(ex(2)));
    const { examples, errors } = parseDatasetJsonl(bytes);
    expect(errors).toEqual([]);
    expect(examples).toEqual([ex(1), ex(2)]);
  });

  it("accepts blank lines at the end of the file", () => {
    const { examples, errors } = parseDatasetJsonl(enc.encode(line(ex(1)) + "\n\n \r\n\n"));
    expect(errors).toEqual([]);
    expect(examples).toEqual([ex(1)]);
  });

  it("keeps multi-line text, tabs and non-ASCII characters exactly", () => {
    const e = { id: "u", prompt: "fn f() {\n\tunsafe { *p }\n}", response: "Soundness: sound. Größe ≤ 𝔘" };
    expect(parseDatasetJsonl(file(line(e))).examples).toEqual([e]);
  });

  it("rejects a blank line between examples and reports its line number", () => {
    expect(refuse("   ")).toMatchObject({ code: "blank-line" });
  });

  it("rejects invalid UTF-8 and reports the line and the byte where it breaks", () => {
    const bad = new Uint8Array([...enc.encode('{"id":"x","prompt":"a'), 0xc3, 0x28, ...enc.encode('","response":"b"}')]);
    const err = refuse(bad);
    expect(err.code).toBe("invalid-utf8");
    expect(err.reason).toContain("byte 22");
  });

  it("rejects overlong and surrogate UTF-8 encodings, not only stray bytes", () => {
    expect(refuse(new Uint8Array([0x22, 0xc0, 0xaf, 0x22])).code).toBe("invalid-utf8");
    expect(refuse(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])).code).toBe("invalid-utf8");
  });

  it("rejects a line that is not JSON and quotes the parser's complaint", () => {
    const err = refuse('{"id": "x", "prompt": "a", "response": "b"');
    expect(err.code).toBe("bad-json");
    expect(err.reason).toMatch(/^not valid JSON \(.+\)$/);
  });

  it.each([
    ["[1,2]", "an array"],
    ["null", "null"],
    ['"text"', "a string"],
    ["42", "a number"],
  ])("rejects %s as not an object, naming what it got", (bad, got) => {
    const err = refuse(bad);
    expect(err.code).toBe("not-an-object");
    expect(err.reason).toContain(`got ${got}`);
  });

  it("rejects unknown keys and names them", () => {
    const err = refuse(line({ id: "x", prompt: "a", respone: "b", tag: 1 }));
    expect(err.code).toBe("unknown-key");
    expect(err.reason).toContain('"respone", "tag"');
  });

  it.each(["id", "prompt", "response"])("rejects a line missing %s", (key) => {
    const o: Record<string, string> = { id: "x", prompt: "a", response: "b" };
    delete o[key];
    const err = refuse(line(o));
    expect(err).toMatchObject({ code: "missing-field", reason: `missing field "${key}"` });
  });

  it.each([
    ["id", 7, "number"],
    ["prompt", null, "null"],
    ["response", ["b"], "an array"],
  ])("rejects a non-string %s and says what it was", (key, value, what) => {
    const err = refuse(line({ id: "x", prompt: "a", response: "b", [key]: value }));
    expect(err.code).toBe("not-a-string");
    expect(err.reason).toBe(`field "${key}" must be a string, got ${what}`);
  });

  it.each(["prompt", "response"])("rejects an empty or whitespace-only %s", (key) => {
    expect(refuse(line({ id: "x", prompt: "a", response: "b", [key]: "" }))).toMatchObject({ code: "empty-field" });
    expect(refuse(line({ id: "x", prompt: "a", response: "b", [key]: " \n\t" }))).toMatchObject({
      code: "empty-field",
      reason: `field "${key}" is empty`,
    });
  });

  it("rejects an empty id, an id with unsafe characters and an over-long id", () => {
    expect(refuse(line({ id: "", prompt: "a", response: "b" })).code).toBe("empty-field");
    expect(refuse(line({ id: "../etc/passwd", prompt: "a", response: "b" })).code).toBe("bad-id");
    expect(refuse(line({ id: "a b", prompt: "a", response: "b" })).code).toBe("bad-id");
    expect(parseDatasetJsonl(file(line({ id: "a".repeat(MAX_ID_LENGTH), prompt: "a", response: "b" }))).errors).toEqual([]);
    expect(refuse(line({ id: "a".repeat(MAX_ID_LENGTH + 1), prompt: "a", response: "b" })).code).toBe("bad-id");
  });

  it("rejects a prompt or response over its byte limit, counting UTF-8 bytes", () => {
    // 'é' is 2 bytes: half the limit in characters is exactly the limit in bytes, one more is over.
    const atLimit = "é".repeat(MAX_PROMPT_BYTES / 2);
    expect(parseDatasetJsonl(file(line({ id: "x", prompt: atLimit, response: "b" }))).errors).toEqual([]);
    const err = refuse(line({ id: "x", prompt: atLimit + "a", response: "b" }));
    expect(err.code).toBe("field-too-long");
    expect(err.reason).toBe(`field "prompt" is ${MAX_PROMPT_BYTES + 1} bytes, over the limit of ${MAX_PROMPT_BYTES}`);
    expect(refuse(line({ id: "x", prompt: "a", response: "r".repeat(MAX_RESPONSE_BYTES + 1) })).code).toBe(
      "field-too-long",
    );
  });

  it("rejects a line over the line limit before parsing it", () => {
    const big = line({ id: "x", prompt: "a", response: "b" + " ".repeat(MAX_LINE_BYTES) });
    const err = refuse(big);
    expect(err.code).toBe("line-too-long");
    expect(err.reason).toContain(`over the limit of ${MAX_LINE_BYTES}`);
  });

  it("rejects text with an unpaired surrogate escape", () => {
    expect(refuse('{"id":"x","prompt":"a\\ud800b","response":"c"}').code).toBe("unpaired-surrogate");
    expect(refuse('{"id":"x","prompt":"a","response":"\\udc00"}').code).toBe("unpaired-surrogate");
    // A proper pair is text, not an error.
    expect(parseDatasetJsonl(file('{"id":"x","prompt":"\\ud83e\\udd80","response":"c"}')).errors).toEqual([]);
  });

  it("rejects chat-template markers written as text", () => {
    const err = refuse(line({ id: "x", prompt: "a", response: "done<|im_end|>\n<|im_start|>user" }));
    expect(err.code).toBe("special-token-text");
    expect(err.reason).toContain("<|im_end|>");
  });

  it("rejects a duplicate id and points at the first use", () => {
    const { examples, errors } = parseDatasetJsonl(
      file(line(ex(1)), line(ex(2)), line({ id: "ex-1", prompt: "other", response: "other" })),
    );
    expect(examples).toEqual([ex(1), ex(2)]);
    expect(errors).toEqual([{ line: 3, code: "duplicate-id", reason: 'duplicate id "ex-1" (first used on line 1)' }]);
  });

  it("rejects the same prompt and response under a different id", () => {
    const { examples, errors } = parseDatasetJsonl(file(line(ex(1)), line({ ...ex(1), id: "copy" })));
    expect(examples).toEqual([ex(1)]);
    expect(errors).toMatchObject([{ line: 2, code: "duplicate-content" }]);
    expect(errors[0].reason).toContain("line 1");
  });

  it("reports every bad line of a file, each with its own line number, and keeps the good ones", () => {
    const bytes = file(line(ex(1)), "nope", line(ex(3)), "[]", line({ id: "y", prompt: "", response: "b" }), line(ex(6)));
    const { examples, errors } = parseDatasetJsonl(bytes);
    expect(examples.map((e) => e.id)).toEqual(["ex-1", "ex-3", "ex-6"]);
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [2, "bad-json"],
      [4, "not-an-object"],
      [5, "empty-field"],
    ]);
  });

  it("reports an empty file", () => {
    expect(parseDatasetJsonl(new Uint8Array()).errors).toMatchObject([{ line: 0, code: "empty-file" }]);
    expect(parseDatasetJsonl(enc.encode("\n\n")).errors).toMatchObject([{ line: 0, code: "empty-file" }]);
  });

  it("refuses a file over the size limit whole, without reading it", () => {
    const { examples, errors } = parseDatasetJsonl(new Uint8Array(MAX_FILE_BYTES + 1));
    expect(examples).toEqual([]);
    expect(errors).toEqual([
      {
        line: 0,
        code: "file-too-large",
        reason: `the file is ${MAX_FILE_BYTES + 1} bytes, over the limit of ${MAX_FILE_BYTES}; split it into smaller contributions`,
      },
    ]);
  });

  it("reads at most MAX_LINES lines and reports the first line past the limit", () => {
    const lines = Array.from({ length: MAX_LINES + 5 }, (_, i) => line(ex(i)));
    const { examples, errors } = parseDatasetJsonl(file(...lines));
    expect(examples).toHaveLength(MAX_LINES);
    expect(errors).toMatchObject([{ line: MAX_LINES + 1, code: "too-many-lines" }]);
  });
});

describe("parseDatasetJsonlStrict", () => {
  it("returns the examples of a clean file", () => {
    expect(parseDatasetJsonlStrict(file(line(ex(1)), line(ex(2))))).toEqual([ex(1), ex(2)]);
  });

  it("throws a DatasetError carrying every refused line, the source, and what to do", () => {
    const bytes = file(line(ex(1)), "x", "y", "z", "[]", "1", "2", line(ex(8)));
    let caught: unknown;
    try {
      parseDatasetJsonlStrict(bytes, { source: "contrib.jsonl" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DatasetError);
    const err = caught as DatasetError;
    expect(err.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(err.source).toBe("contrib.jsonl");
    expect(err.message).toContain("6 invalid lines in contrib.jsonl");
    expect(err.message).toContain("line 2: not valid JSON");
    expect(err.message).toContain("and 1 more");
    expect(err.message).toContain("README.md");
  });
});

describe("exampleHash", () => {
  it("matches an independent implementation of the documented encoding", () => {
    // python3: sha256(b'ingotforge/dataset-example/v1' + struct.pack('>I', len(p)) + p + struct.pack('>I', len(r)) + r)
    expect(exampleHash({ prompt: "let x = 1;", response: "Soundness: sound. ü" })).toBe(
      "0xd8ca85f5db4ea8f1612d1ef4f3e4cf6c8cf433fca3260aa94fffc762ce10943e",
    );
  });

  it("ignores the id but sees any change of content, including where prompt ends and response begins", () => {
    const a = { id: "a", prompt: "ab", response: "c" };
    expect(exampleHash(a)).toBe(exampleHash({ ...a, id: "b" } as DatasetExample));
    expect(exampleHash(a)).not.toBe(exampleHash({ prompt: "a", response: "bc" }));
    expect(exampleHash(a)).not.toBe(exampleHash({ prompt: "ab", response: "c " }));
  });
});

describe("chat template", () => {
  const example = { id: "e1", prompt: "Is this sound?\nunsafe { *p }", response: "Soundness: UNSOUND. p may be null." };

  it("formats the exact Qwen2.5 chat text with the default system prompt", () => {
    expect(formatChatExample(example)).toBe(
      `<|im_start|>system\n${DEFAULT_SYSTEM_PROMPT}<|im_end|>\n` +
        "<|im_start|>user\nIs this sound?\nunsafe { *p }<|im_end|>\n" +
        "<|im_start|>assistant\nSoundness: UNSOUND. p may be null.<|im_end|>\n",
    );
  });

  it("uses a given system prompt", () => {
    expect(formatChatExample({ ...example, system: "Be brief." })).toMatch(/^<\|im_start\|>system\nBe brief\.<\|im_end\|>\n/);
  });
});

/** One token per character (code point + 100), specials by the ids in `spec`: enough to see every boundary. */
function charTokenizer(): ChatTokenizer & { decode(ids: number[]): string } {
  const special = { imStart: 1, imEnd: 2 };
  return {
    spec: { special },
    encode: (text) => Array.from(text, (c) => c.codePointAt(0)! + 100),
    decode: (ids) =>
      ids.map((id) => (id === 1 ? "<|im_start|>" : id === 2 ? "<|im_end|>" : String.fromCodePoint(id - 100))).join(""),
  };
}

describe("tokenizeExample", () => {
  const example = { id: "e1", prompt: "check *p", response: "Soundness: sound." };

  it("produces the template's tokens, ending at the response's <|im_end|>", () => {
    const tok = charTokenizer();
    const seq = tokenizeExample(tok, example);
    expect(seq.id).toBe("e1");
    expect(tok.decode(seq.tokens) + "\n").toBe(formatChatExample(example));
    expect(seq.tokens.at(-1)).toBe(2);
  });

  it("sets scoreFrom to the first response token, so only the response and <|im_end|> are scored", () => {
    const tok = charTokenizer();
    const seq = tokenizeExample(tok, example);
    expect(tok.decode(seq.tokens.slice(seq.scoreFrom))).toBe("Soundness: sound.<|im_end|>");
    expect(tok.decode(seq.tokens.slice(0, seq.scoreFrom)).endsWith("<|im_start|>assistant\n")).toBe(true);
  });

  it("encodes the response on its own, so BPE cannot merge it into the assistant header", () => {
    // A word-level tokenizer that would merge "assistant\nSoundness:" if given them together.
    const calls: string[] = [];
    const tok: ChatTokenizer = { spec: { special: { imStart: 1, imEnd: 2 } }, encode: (t) => (calls.push(t), [calls.length + 10]) };
    const seq = tokenizeExample(tok, example, { system: "S" });
    expect(calls).toEqual(["system\nS", "\n", "user\ncheck *p", "\n", "assistant\n", "Soundness: sound."]);
    expect(seq.tokens).toEqual([1, 11, 2, 12, 1, 13, 2, 14, 1, 15, 16, 2]);
    expect(seq.scoreFrom).toBe(10);
  });

  it("inserts special tokens by id and never from marker-like text", () => {
    const tok = charTokenizer();
    const seq = tokenizeExample(tok, { id: "x", prompt: "<|im_end|>", response: "r" });
    expect(seq.tokens.filter((t) => t === 2)).toHaveLength(3);
  });
});

const DEMO = join(import.meta.dirname, "../../../data/demo");
const CONTRIBUTORS = ["alice", "bob", "carol", "dave"] as const;
/** Categories of the demo task; the middle part of every relevant id (`<file>-<category>-<n>`). */
const CATEGORIES = [
  "rawptr",
  "transmute",
  "fromrawparts",
  "sendsync",
  "uninit",
  "ffi",
  "aliasing",
  "unsafetrait",
  "getunchecked",
  "utf8",
  "ptrrw",
  "union",
  "staticmut",
] as const;

describe("demo data (data/demo)", () => {
  const read = (name: string) => parseDatasetJsonl(new Uint8Array(readFileSync(join(DEMO, name))));
  let files: Record<string, ReturnType<typeof parseDatasetJsonl>>;
  beforeAll(() => {
    files = {
      holdout: read("holdout.jsonl"),
      ...Object.fromEntries(CONTRIBUTORS.map((c) => [c, read(`contrib-${c}.jsonl`)])),
      control: read("contrib-control.jsonl"),
    };
  });
  const categoryOf = (id: string) => id.split("-")[1];

  it("parses every file with zero errors", () => {
    for (const [name, parsed] of Object.entries(files)) expect({ name, errors: parsed.errors }).toEqual({ name, errors: [] });
  });

  it("has the required counts: holdout ≥ 40, each contributor ≥ 25, control ≥ 25, ≥ 150 task examples", () => {
    expect(files.holdout.examples.length).toBeGreaterThanOrEqual(40);
    for (const c of CONTRIBUTORS) expect(files[c].examples.length).toBeGreaterThanOrEqual(25);
    expect(files.control.examples.length).toBeGreaterThanOrEqual(25);
    const task = ["holdout", ...CONTRIBUTORS].reduce((n, f) => n + files[f].examples.length, 0);
    expect(task).toBeGreaterThanOrEqual(150);
  });

  it("has no id and no content used twice across all files", () => {
    const all = Object.values(files).flatMap((f) => f.examples);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(new Set(all.map((e) => exampleHash(e))).size).toBe(all.length);
  });

  it("shares no prompt and no response between the holdout and any contributor", () => {
    const contributed = CONTRIBUTORS.flatMap((c) => files[c].examples);
    const prompts = new Set(contributed.map((e) => e.prompt));
    const responses = new Set(contributed.map((e) => e.response));
    for (const e of files.holdout.examples) {
      expect(prompts.has(e.prompt), e.id).toBe(false);
      expect(responses.has(e.response), e.id).toBe(false);
    }
  });

  it("names each task example <file>-<category>-<n> and covers every category in the holdout", () => {
    for (const f of ["holdout", ...CONTRIBUTORS]) {
      for (const e of files[f].examples) {
        expect(e.id.startsWith(`${f}-`), e.id).toBe(true);
        expect(CATEGORIES as readonly string[], e.id).toContain(categoryOf(e.id));
      }
    }
    const covered = new Set(files.holdout.examples.map((e) => categoryOf(e.id)));
    expect([...covered].sort()).toEqual([...CATEGORIES].sort());
  });

  it("gives each contributor a different mix of categories", () => {
    const mixes = CONTRIBUTORS.map((c) => {
      const counts = new Map<string, number>();
      for (const e of files[c].examples) counts.set(categoryOf(e.id), (counts.get(categoryOf(e.id)) ?? 0) + 1);
      return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map((x) => x[0]).join(",");
    });
    expect(new Set(mixes).size).toBe(CONTRIBUTORS.length);
  });

  it("starts every analysis with its verdict and puts a 3-15 line Rust block with unsafe code in every prompt", () => {
    for (const f of ["holdout", ...CONTRIBUTORS]) {
      for (const e of files[f].examples) {
        expect(e.response, e.id).toMatch(/^Soundness: (sound|UNSOUND)\. /);
        const code = /\n```rust\n([\s\S]*)\n```$/.exec(e.prompt)?.[1];
        expect(code, e.id).toMatch(/\bunsafe\b/);
        expect(code!.split("\n").length, e.id).toBeGreaterThanOrEqual(3);
        expect(code!.split("\n").length, e.id).toBeLessThanOrEqual(15);
      }
    }
  });

  it("keeps the control file off the task: no unsafe code, no verdicts", () => {
    for (const e of files.control.examples) {
      expect(e.id.startsWith("control-"), e.id).toBe(true);
      expect(`${e.prompt} ${e.response}`, e.id).not.toMatch(/unsafe|Soundness:/);
    }
  });

  it("tokenizes every example with a BPE tokenizer trained on the corpus: the scored span decodes to exactly the response", () => {
    const corpus = readFileSync(join(DEMO, "pretrain-corpus.txt"), "utf8");
    const tok = createTokenizer(trainBpeTokenizer({ corpus, vocabSize: 1024 }));
    const { imStart, imEnd } = tok.spec.special;
    for (const e of Object.values(files).flatMap((f) => f.examples)) {
      const seq = tokenizeExample(tok, e);
      expect(tok.decode(seq.tokens.slice(seq.scoreFrom, -1)), e.id).toBe(e.response);
      expect(seq.tokens.at(-1), e.id).toBe(imEnd);
      // Everything before the response is the template with the markers where formatChatExample puts them.
      const head = seq.tokens.slice(0, seq.scoreFrom);
      expect(head.filter((t) => t === imStart).length, e.id).toBe(3);
      expect(head.filter((t) => t === imEnd).length, e.id).toBe(2);
    }
  });

  it("has a pre-training corpus of 60-120 KB that does not contain the task", () => {
    const corpus = readFileSync(join(DEMO, "pretrain-corpus.txt"), "utf8");
    const size = Buffer.byteLength(corpus);
    expect(size).toBeGreaterThanOrEqual(60_000);
    expect(size).toBeLessThanOrEqual(120_000);
    expect(corpus).not.toMatch(/Soundness:|<\|im_(start|end)\|>/);
  });
});
