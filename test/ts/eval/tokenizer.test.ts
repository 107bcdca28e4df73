import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { trainBpeTokenizer } from "../../../coordinator/src/eval/tokenizer/trainBpeTokenizer.js";
import { createTokenizer } from "../../../coordinator/src/eval/tokenizer/createTokenizer.js";
import { preTokenizeQwen2 } from "../../../coordinator/src/eval/tokenizer/preTokenizeQwen2.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { FIXTURE_CORPUS, tinyConfig } from "./fixtures/tinyModels.js";

const VARIED_TEXTS = [
  "fn main() {\n    let x: u32 = 42;\n    println!(\"{}\", x);\n}\n",
  "unsafe impl<T: ?Sized + Send> Sync for Wrapper<T> {}\r\n\r\n// SAFETY: `ptr` is non-null",
  "let n = 1234567890 + 0x1F_u64 - 3.14159e-10;",
  "    \t  \n\n\n   trailing spaces   ",
  "héllo wörld, naïve café — “quotes” ‘single’ …",
  "你好，世界！日本語のテキスト。한국어 텍스트",
  "emoji 🦀🔥👍🏽 and ZWJ 👨‍👩‍👧 sequences",
  "Arabic digits ٣٤٥ and superscripts ²³ and fractions ½ ⅓ and roman Ⅻ",
  "combining: e\u0301 a\u0308 and Hangul jamo \u1100\u1161",
  "It's, I'M, they'LL, we'Ve, you'd, 'S'",
  "nbsp\u00a0here, NEL\u0085there, ideographic\u3000space, line\u2028sep, bom\ufeffmark",
  "<|im_start|>user\nHello<|im_end|><|endoftext|>",
  "",
  " ",
  "\n",
  "a",
];

describe("trainBpeTokenizer", () => {
  it("is deterministic and lays out bytes, merges, then the three specials", () => {
    const a = trainBpeTokenizer({ corpus: FIXTURE_CORPUS, vocabSize: 300 });
    expect(trainBpeTokenizer({ corpus: FIXTURE_CORPUS, vocabSize: 300 })).toEqual(a);
    expect(a.tokens).toHaveLength(300);
    expect(a.tokens[0x41]).toBe("A");
    expect(a.tokens[0x20]).toBe("Ġ");
    expect(a.tokens[0x0a]).toBe("Ċ");
    expect(a.special).toEqual({ endOfText: 297, imStart: 298, imEnd: 299 });
    expect(a.tokens.slice(297)).toEqual(["<|endoftext|>", "<|im_start|>", "<|im_end|>"]);
    expect(a.pre).toBe("qwen2");
    expect(new Set(a.tokens).size).toBe(300);
  });

  it("merges the most frequent pair first and breaks ties by the pair's text", () => {
    expect(trainBpeTokenizer({ corpus: ["cd", "cd", "ab"], vocabSize: 260 }).merges[0]).toBe("c d");
    expect(trainBpeTokenizer({ corpus: ["cd", "ab"], vocabSize: 260 }).merges[0]).toBe("a b");
  });

  it("says how far a too-small corpus reaches, or pads with control tokens when asked", () => {
    expect(() => trainBpeTokenizer({ corpus: "abab", vocabSize: 300 })).toThrow(/supports only 261 tokens, 300 requested/);
    const padded = trainBpeTokenizer({ corpus: "abab", vocabSize: 300, padToVocabSize: true });
    expect(padded.tokens).toHaveLength(300);
    expect(padded.tokens[299]).toBe("<|extra_38|>");
  });
});

describe("preTokenizeQwen2", () => {
  it("splits digits one by one, keeps a leading space on words and covers the text exactly", () => {
    expect(preTokenizeQwen2("let n = 123;  x\n\n  y")).toEqual(["let", " n", " =", " ", "1", "2", "3", ";", " ", " x", "\n\n", " ", " y"]);
    for (const t of VARIED_TEXTS) expect(preTokenizeQwen2(t).join("")).toBe(t);
  });
});

describe("createTokenizer against llama.cpp", () => {
  let dir: string;
  let llama: Llama;
  let model: LlamaModel;
  const spec = trainBpeTokenizer({ corpus: [...FIXTURE_CORPUS, ...VARIED_TEXTS], vocabSize: 420 });
  const tokenizer = createTokenizer(spec);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tok-"));
    const m = createRandomModel({ seed: 3, config: tinyConfig({ vocabSize: 420 }), tensorType: "F32", tokenizer: spec });
    writeFileSync(join(dir, "m.gguf"), modelToGguf(m));
    llama = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: join(dir, "m.gguf") });
  });
  afterAll(async () => {
    await model?.dispose();
    await llama?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(VARIED_TEXTS.map((t) => [JSON.stringify(t).slice(0, 40), t]))("encodes %s exactly as llama.cpp does", (_, text) => {
    expect(tokenizer.encode(text)).toEqual(Array.from(model.tokenize(text, false)));
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it("matches llama.cpp on 300 random strings of code, unicode, digits and whitespace runs", () => {
    const alphabet = [..."abcXYZ019 _{}();:&*'\"\n\r\t", "  ", "    ", "'s", "'LL", "é", "ß", "你", "٣", "½", "🦀", "\u00a0", "\u0085", "\u3000", "\u0301", "\ufeff", "Ⅻ", "—"];
    const prng = createPrng("tok-fuzz");
    for (let n = 0; n < 300; n++) {
      const len = 1 + prng.nextInt(40);
      let text = "";
      for (let i = 0; i < len; i++) text += alphabet[prng.nextInt(alphabet.length)];
      const ours = tokenizer.encode(text);
      const theirs = Array.from(model.tokenize(text, false));
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) expect({ text, ours }).toEqual({ text, ours: theirs });
      expect(tokenizer.decode(ours)).toBe(text);
    }
  });

  it("never produces special tokens from text; they are inserted by id and decode to their text", () => {
    const ids = tokenizer.encode("<|im_start|>");
    expect(ids).not.toContain(spec.special.imStart);
    expect(tokenizer.decode([spec.special.imStart, ...tokenizer.encode("user"), spec.special.imEnd])).toBe("<|im_start|>user<|im_end|>");
  });
});
