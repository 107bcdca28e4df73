import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../gateway/src/proof/canonicalJson.js";
import { CanonicalJsonError } from "../../../gateway/src/proof/errors.js";

const PYTHON = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;
if (PYTHON === undefined) console.warn("\n*** python3 not found: the fuzz comparison of canonicalJson against Python's json.dumps is SKIPPED ***\n");

/** Python's json.dumps(sort_keys=True, separators=(",", ":")) of each JSON text, one per line. */
function pythonDumps(jsonTexts: string[]): string[] {
  const script = "import json,sys\nfor line in sys.stdin.read().split('\\n'):\n    print(json.dumps(json.loads(line), sort_keys=True, separators=(',', ':')))\n";
  const out = execFileSync(PYTHON!, ["-c", script], { input: jsonTexts.join("\n"), encoding: "utf8", maxBuffer: 64 << 20 });
  return out.split("\n").slice(0, jsonTexts.length);
}

/** A small deterministic PRNG (mulberry32) so a failing case can be reproduced from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CODE_POINTS = [0x00, 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x20, 0x22, 0x2f, 0x5c, 0x41, 0x7a, 0x7e, 0x7f, 0x80, 0xe9, 0x20ac, 0x65e5, 0xd7ff, 0xe000, 0xfeff, 0xffff, 0x10000, 0x1f600, 0x10ffff];

function randomString(rand: () => number): string {
  const length = Math.floor(rand() * 6);
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCodePoint(rand() < 0.5 ? CODE_POINTS[Math.floor(rand() * CODE_POINTS.length)] : 0x20 + Math.floor(rand() * 0x5f));
  return s;
}

function randomNumber(rand: () => number): number {
  const r = rand();
  if (r < 0.3) return Math.floor((rand() - 0.5) * 2 ** 53);
  if (r < 0.5) return Math.floor((rand() - 0.5) * 2000);
  const exponent = Math.floor(rand() * 34) - 20; // below 1e14, so +0.5 below keeps it non-integral
  const value = (rand() - 0.5) * 10 ** exponent;
  return Number.isInteger(value) ? value + 0.5 : value; // keep floats non-integral (see the integral-float caveat)
}

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.35) {
    const leaf = rand();
    if (leaf < 0.1) return null;
    if (leaf < 0.2) return rand() < 0.5;
    if (leaf < 0.55) return randomNumber(rand);
    return randomString(rand);
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) object[randomString(rand)] = randomValue(rand, depth + 1);
  return object;
}

describe("canonicalJson", () => {
  it("sorts keys, drops whitespace and ends without a newline", () => {
    expect(canonicalJson({ b: 1, a: [1, 2, { d: true, c: null }] })).toBe('{"a":[1,2,{"c":null,"d":true}],"b":1}');
    expect(canonicalJson({})).toBe("{}");
    expect(canonicalJson([])).toBe("[]");
  });

  it("escapes non-ASCII as lowercase \\uXXXX and characters above U+FFFF as a surrogate pair", () => {
    expect(canonicalJson({ "café": "données € 日本語" })).toBe('{"caf\\u00e9":"donn\\u00e9es \\u20ac \\u65e5\\u672c\\u8a9e"}');
    expect(canonicalJson("😀")).toBe('"\\ud83d\\ude00"');
    expect(canonicalJson("\u{10ffff}")).toBe('"\\udbff\\udfff"');
  });

  it("escapes quotes, backslashes and controls as Python does, DEL included, and leaves / alone", () => {
    expect(canonicalJson('"\\/\b\f\n\r\t\u0000\u001f\u007f~ ')).toBe('"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u007f~ "');
  });

  it("sorts keys by code point, not by UTF-16 unit (U+FFFF before U+10000, unlike Array.sort)", () => {
    const value = { "\u{10000}": 1, "\uffff": 2, a: 3 };
    expect(Object.keys(value).sort()).toEqual(["a", "\u{10000}", "\uffff"]); // the JS default this must not follow
    expect(canonicalJson(value)).toBe('{"a":3,"\\uffff":2,"\\ud800\\udc00":1}');
  });

  it("writes integers and bigints as Python ints, -0 as 0", () => {
    expect(canonicalJson([0, -0, 42, -7, Number.MAX_SAFE_INTEGER, 2n ** 200n])).toBe(`[0,0,42,-7,9007199254740991,${(2n ** 200n).toString()}]`);
  });

  it("writes non-integral floats as Python's repr", () => {
    expect(canonicalJson([0.1, -2.5, 0.0001, 0.00001, 1.5e-7, 123.456, 5e-324, 1 / 3])).toBe("[0.1,-2.5,0.0001,1e-05,1.5e-07,123.456,5e-324,0.3333333333333333]");
  });

  it("leaves out object members that are undefined, as on the wire", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe(canonicalJson(JSON.parse(JSON.stringify({ a: undefined, b: 1 }))));
  });

  it.each([
    ["NaN", { x: Number.NaN }, "$.x"],
    ["Infinity", [1, Number.POSITIVE_INFINITY], "$[1]"],
    ["an integer beyond 2^53", { big: 2 ** 60 }, "$.big"],
    ["a Date", { at: new Date(0) }, "$.at"],
    ["a Map", new Map(), "$"],
    ["a function", { f: () => 1 }, "$.f"],
    ["undefined in an array", [undefined], "$[0]"],
    ["undefined at the top", undefined, "$"],
  ])("refuses %s with a CanonicalJsonError naming where", (_name, value, path) => {
    try {
      canonicalJson(value);
      expect.fail("canonicalJson accepted it");
    } catch (error) {
      expect(error).toBeInstanceOf(CanonicalJsonError);
      expect((error as CanonicalJsonError).path).toBe(path);
    }
  });

  it("refuses a cycle, but accepts the same object twice side by side", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalJsonError);
  });

  it.skipIf(PYTHON === undefined)("matches Python's json.dumps byte for byte on 2000 random JSON values (unicode, controls, astral keys, floats)", () => {
    const rand = prng(20261203);
    const values = Array.from({ length: 2000 }, () => randomValue(rand, 0));
    const texts = values.map((v) => JSON.stringify(v));
    const expected = pythonDumps(texts);
    const mismatches = values.map((v, i) => ({ i, ours: canonicalJson(v), python: expected[i] })).filter((m) => m.ours !== m.python);
    expect(mismatches.slice(0, 3)).toEqual([]);
  });

  it.skipIf(PYTHON === undefined)("matches Python's repr on 5000 random doubles, across exponents", () => {
    const rand = prng(7);
    const buffer = new DataView(new ArrayBuffer(8));
    const numbers: number[] = [];
    while (numbers.length < 5000) {
      buffer.setUint32(0, Math.floor(rand() * 2 ** 32));
      buffer.setUint32(4, Math.floor(rand() * 2 ** 32));
      const x = buffer.getFloat64(0);
      if (Number.isFinite(x) && !Number.isInteger(x)) numbers.push(x);
    }
    const [expected] = pythonDumps([JSON.stringify(numbers)]);
    expect(canonicalJson(numbers)).toBe(expected);
  });
});
