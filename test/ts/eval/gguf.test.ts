import { describe, expect, it } from "vitest";
import { readGguf, ggufTensorData } from "../../../coordinator/src/eval/gguf/readGguf.js";
import { writeGguf } from "../../../coordinator/src/eval/gguf/writeGguf.js";
import { quantizeTensor } from "../../../coordinator/src/eval/gguf/quantizeTensor.js";
import { dequantizeTensor } from "../../../coordinator/src/eval/gguf/dequantizeTensor.js";
import { fp16BitsToFp32, fp32ToFp16Bits } from "../../../coordinator/src/eval/gguf/float16.js";
import { validateQwen2Gguf } from "../../../coordinator/src/eval/gguf/validateQwen2Gguf.js";
import { validateLoraGguf } from "../../../coordinator/src/eval/gguf/validateLoraGguf.js";
import { GgufParseError, GgufQuantizationError, GgufValidationError } from "../../../coordinator/src/eval/gguf/errors.js";
import type { GgufValue } from "../../../coordinator/src/eval/gguf/types.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";
import { loraAdapterToGguf } from "../../../coordinator/src/eval/model/loraAdapterToGguf.js";
import { ggufToLoraAdapter } from "../../../coordinator/src/eval/model/ggufToLoraAdapter.js";
import type { LoraAdapter, TensorType } from "../../../coordinator/src/eval/model/types.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { fixtureTokenizer, tinyConfig } from "./fixtures/tinyModels.js";

const allTypes: [string, GgufValue][] = [
  ["u8", { type: "uint8", value: 255 }],
  ["i8", { type: "int8", value: -128 }],
  ["u16", { type: "uint16", value: 65535 }],
  ["i16", { type: "int16", value: -32768 }],
  ["u32", { type: "uint32", value: 4294967295 }],
  ["i32", { type: "int32", value: -2147483648 }],
  ["f32", { type: "float32", value: 0.5 }],
  ["f64", { type: "float64", value: Math.PI }],
  ["bool", { type: "bool", value: true }],
  ["str", { type: "string", value: "héllo ✓ 你好" }],
  ["u64", { type: "uint64", value: 18446744073709551615n }],
  ["i64", { type: "int64", value: -9223372036854775808n }],
  ["strs", { type: "array", itemType: "string", value: ["a", "", "Ġb"] }],
  ["ints", { type: "array", itemType: "int32", value: [1, -2, 3] }],
  ["nested", { type: "array", itemType: "array", value: [{ type: "array", itemType: "uint8", value: [1, 2] }, { type: "array", itemType: "uint8", value: [] }] }],
];

describe("readGguf / writeGguf", () => {
  it("round-trips metadata of every value type, nested arrays included, to identical bytes", () => {
    const tensors = [
      { name: "a", shape: [3], type: "F32" as const, data: new Uint8Array(new Float32Array([1, 2, 3]).buffer) },
      { name: "b", shape: [32, 2], type: "Q8_0" as const, data: new Uint8Array(68).fill(7) },
    ];
    const bytes = writeGguf({ metadata: allTypes, tensors });
    const file = readGguf(bytes);
    expect(file.version).toBe(3);
    expect([...file.metadata.entries()]).toEqual(allTypes);
    expect(file.tensors.map((t) => [t.name, t.shape, t.type, t.byteLength])).toEqual([
      ["a", [3], "F32", 12],
      ["b", [32, 2], "Q8_0", 68],
    ]);
    expect(file.dataOffset % 32).toBe(0);
    for (const t of file.tensors) expect(t.offset % 32).toBe(0);
    expect([...ggufTensorData(file, file.tensors[1])]).toEqual([...tensors[1].data]);
    expect(writeGguf({ metadata: file.metadata, tensors: file.tensors.map((t) => ({ ...t, data: ggufTensorData(file, t) })) })).toEqual(bytes);
  });

  it("honours a custom general.alignment for the data section and every tensor offset", () => {
    const bytes = writeGguf({
      metadata: [["general.alignment", { type: "uint32", value: 64 }]],
      tensors: [
        { name: "x", shape: [5], type: "F32", data: new Uint8Array(20) },
        { name: "y", shape: [5], type: "F32", data: new Uint8Array(20).fill(1) },
      ],
    });
    const file = readGguf(bytes);
    expect(file.alignment).toBe(64);
    expect(file.dataOffset % 64).toBe(0);
    expect(file.tensors[1].offset).toBe(64);
    expect([...ggufTensorData(file, file.tensors[1])]).toEqual(new Array(20).fill(1));
  });

  it("rejects a truncated file and says at which byte and while reading what", () => {
    const bytes = writeGguf({ metadata: allTypes, tensors: [{ name: "a", shape: [3], type: "F32", data: new Uint8Array(12) }] });
    for (const cut of [3, 20, 100, bytes.length - 40]) {
      expect(() => readGguf(bytes.subarray(0, cut))).toThrow(GgufParseError);
    }
    expect(() => readGguf(bytes.subarray(0, 100))).toThrow(/GGUF ends while reading .* \(at byte \d+\)/);
    expect(() => readGguf(bytes.subarray(0, bytes.length - 24))).toThrow(/tensor a .* runs past the end/);
  });

  it("rejects bad magic, a huge array length and an unknown value type without reading out of bounds", () => {
    expect(() => readGguf(new TextEncoder().encode("GGML\x03\0\0\0"))).toThrow(/not a GGUF file/);
    const bytes = writeGguf({ metadata: [["k", { type: "array", itemType: "uint8", value: [1] }]], tensors: [] });
    const huge = bytes.slice();
    // Array length (u64) sits after magic, version, counts, key and two type fields.
    new DataView(huge.buffer).setBigUint64(4 + 4 + 8 + 8 + 8 + 1 + 4 + 4, 1n << 40n, true);
    expect(() => readGguf(huge)).toThrow(GgufParseError);
    const badType = bytes.slice();
    new DataView(badType.buffer).setUint32(4 + 4 + 8 + 8 + 8 + 1, 99, true);
    expect(() => readGguf(badType)).toThrow(/unknown value type 99/);
  });

  it("parses a header-only prefix without the tensor data", () => {
    const bytes = writeGguf({ metadata: allTypes, tensors: [{ name: "a", shape: [1024], type: "F32", data: new Uint8Array(4096) }] });
    const file = readGguf(bytes.subarray(0, bytes.length - 4096), { headerOnly: true });
    expect(file.tensors[0].byteLength).toBe(4096);
    expect(file.data).toBeUndefined();
  });
});

describe("float16", () => {
  it("rounds to nearest even, including subnormals, overflow and ties", () => {
    expect(fp32ToFp16Bits(1)).toBe(0x3c00);
    expect(fp32ToFp16Bits(-2)).toBe(0xc000);
    expect(fp32ToFp16Bits(65504)).toBe(0x7bff);
    expect(fp32ToFp16Bits(65520)).toBe(0x7c00); // halfway to the next binade rounds up to infinity
    expect(fp32ToFp16Bits(0.1)).toBe(0x2e66);
    expect(fp32ToFp16Bits(2 ** -24)).toBe(0x0001);
    expect(fp32ToFp16Bits(2 ** -25)).toBe(0x0000); // tie to even (0)
    expect(fp32ToFp16Bits(3 * 2 ** -25)).toBe(0x0002); // tie to even (2)
    expect(fp32ToFp16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie between 1 and 1+2^-10 goes to even
    expect(fp32ToFp16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fp32ToFp16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the normal range
    expect(fp16BitsToFp32(0x3555)).toBeCloseTo(0.33325, 5);
    expect(fp16BitsToFp32(0x0001)).toBe(2 ** -24);
    expect(fp16BitsToFp32(0xfc00)).toBe(-Infinity);
  });

  it("round-trips every finite half value exactly", () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      const back = fp32ToFp16Bits(fp16BitsToFp32(h));
      expect(back === h || (h === 0x8000 && back === 0x8000)).toBe(true);
    }
  });
});

describe("quantizeTensor / dequantizeTensor", () => {
  it("lays out a Q8_0 block as fp16 d = amax/127 then 32 int8 q rounded half away from zero", () => {
    const x = Array.from({ length: 32 }, (_, i) => (i - 16) / 16 * 1.27); // amax 1.27 at i = 0
    const raw = quantizeTensor({ values: x, shape: [32], type: "Q8_0" });
    expect(raw.byteLength).toBe(34);
    const view = new DataView(raw.buffer);
    expect(view.getUint16(0, true)).toBe(fp32ToFp16Bits(Math.fround(Math.fround(1.27) / 127)));
    const id = Math.fround(1 / Math.fround(Math.fround(1.27) / 127));
    for (let j = 0; j < 32; j++) {
      const v = Math.fround(Math.fround(x[j]) * id);
      const expected = v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
      expect(view.getInt8(2 + j)).toBe(expected);
    }
    expect(view.getInt8(2)).toBe(-127);
    expect(view.getInt8(2 + 8)).toBe(-64); // -0.635·100 = -63.5 rounds away from zero
  });

  it("lays out a Q4_0 block with d = max/-8 signed by the largest-magnitude value and low nibbles = first 16 values", () => {
    // Largest magnitude is negative (-8): d = 1 and q = x + 8 exactly.
    const x = Array.from({ length: 32 }, (_, i) => (i === 5 ? -8 : (i % 15) - 7));
    const raw = quantizeTensor({ values: x, shape: [32], type: "Q4_0" });
    expect(raw.byteLength).toBe(18);
    expect(new DataView(raw.buffer).getUint16(0, true)).toBe(0x3c00);
    for (let j = 0; j < 16; j++) {
      expect(raw[2 + j] & 0x0f).toBe(x[j] + 8);
      expect(raw[2 + j] >> 4).toBe(x[j + 16] + 8);
    }
    // Positive maximum: d = -max/8 < 0, so the maximum itself maps to q = 0 and -max would clamp to 15.
    const y = Array.from({ length: 32 }, (_, i) => (i === 0 ? 4 : i === 1 ? -4 : 0));
    const rawY = quantizeTensor({ values: y, shape: [32], type: "Q4_0" });
    expect(fp16BitsToFp32(new DataView(rawY.buffer).getUint16(0, true))).toBe(-0.5);
    expect(rawY[2] & 0x0f).toBe(0);
    expect(rawY[3] & 0x0f).toBe(15);
    expect([...dequantizeTensor({ data: rawY, type: "Q4_0", count: 32 })].slice(0, 3)).toEqual([4, -3.5, -0]);
  });

  it("dequantizes within half a step of the input for every type", () => {
    const prng = createPrng("q");
    const x = Float32Array.from({ length: 64 * 4 }, () => prng.nextGaussian());
    const steps: Record<TensorType, number> = { F32: 0, F16: 2 ** -11 * 4, Q8_0: 4 / 127, Q4_0: 4 / 8 };
    for (const type of ["F32", "F16", "Q8_0", "Q4_0"] as const) {
      const raw = quantizeTensor({ values: x, shape: [64, 4], type });
      const back = dequantizeTensor({ data: raw, type, count: x.length });
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(back[i] - x[i]));
      if (type === "F32") expect(worst).toBe(0);
      else expect(worst).toBeLessThanOrEqual(steps[type]);
      // Quantizing dequantized values reproduces the same blocks.
      expect(quantizeTensor({ values: back, shape: [64, 4], type })).toEqual(raw);
    }
  });

  it("refuses rows that are not whole 32-value blocks and non-finite values", () => {
    expect(() => quantizeTensor({ values: new Float32Array(48), shape: [48], type: "Q8_0", name: "w" })).toThrow(/w: Q8_0 needs rows of whole 32-value blocks/);
    expect(() => quantizeTensor({ values: [NaN], shape: [1], type: "F32" })).toThrow(GgufQuantizationError);
  });
});

describe("validateQwen2Gguf", () => {
  const good = () => readGguf(modelToGguf(createRandomModel({ seed: 1, config: tinyConfig(), tensorType: "F32", tokenizer: fixtureTokenizer() })));

  it("accepts a model written by modelToGguf", () => {
    expect(validateQwen2Gguf(good())).toEqual({ hiddenSize: 64, numLayers: 2, vocabSize: 320 });
  });

  it("names every missing key that would abort llama.cpp natively", () => {
    const file = good();
    file.metadata.delete("qwen2.feed_forward_length");
    file.metadata.delete("qwen2.attention.head_count");
    let error: unknown;
    try {
      validateQwen2Gguf(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GgufValidationError);
    expect((error as GgufValidationError).problems).toEqual(["qwen2.feed_forward_length is missing", "qwen2.attention.head_count is missing"]);
  });

  it("rejects a wrongly shaped or missing tensor, and a key of the wrong type", () => {
    const file = good();
    file.tensors = file.tensors.filter((t) => t.name !== "blk.1.ffn_up.weight");
    file.tensors.find((t) => t.name === "blk.0.attn_k.weight")!.shape = [64, 64];
    expect(() => validateQwen2Gguf(file)).toThrow(/tensor blk.0.attn_k.weight has shape \[64, 64\], expected \[64, 32\]; tensor blk.1.ffn_up.weight is missing/);
    const typed = good();
    typed.metadata.set("qwen2.block_count", { type: "string", value: "2" });
    expect(() => validateQwen2Gguf(typed)).toThrow(/qwen2.block_count is not an integer \(string\)/);
  });
});

describe("model and adapter GGUF files", () => {
  it.each(["F32", "F16", "Q8_0", "Q4_0"] as const)("writes a %s model deterministically and reads back the same tensors", (type) => {
    const make = (seed: number) => createRandomModel({ seed, config: tinyConfig({ intermediateSize: 128 }), tensorType: type, tokenizer: fixtureTokenizer() });
    const bytes = modelToGguf(make(7));
    expect(modelToGguf(make(7))).toEqual(bytes);
    expect(modelToGguf(make(8))).not.toEqual(bytes);
    const back = ggufToModel(bytes);
    const original = make(7);
    expect(back.config).toEqual({ ...original.config, rmsNormEps: Math.fround(1e-6) });
    expect(back.tokenizer).toEqual(original.tokenizer);
    for (const [name, t] of original.tensors) {
      const r = back.tensors.get(name)!;
      expect([r.type, r.shape]).toEqual([t.type, t.shape]);
      expect(r.values).toEqual(t.values);
      expect(r.type === "F32" || name.includes("norm") || name.endsWith("bias") ? "F32" : type).toBe(r.type);
    }
    expect(modelToGguf(back)).toEqual(bytes);
  });

  it("draws seeded weights with std 1/sqrt(n_in) from either distribution, norms near 1 and F32", () => {
    for (const distribution of ["gaussian", "uniform"] as const) {
      const m = createRandomModel({ seed: 4, config: tinyConfig({ intermediateSize: 128 }), tensorType: "F32", tokenizer: fixtureTokenizer(), distribution });
      const w = m.tensors.get("blk.0.ffn_down.weight")!.values;
      const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
      expect(std).toBeGreaterThan(0.9 / Math.sqrt(128));
      expect(std).toBeLessThan(1.1 / Math.sqrt(128));
      const bound = Math.max(...w.map(Math.abs));
      if (distribution === "uniform") expect(bound).toBeLessThanOrEqual(Math.sqrt(3 / 128));
      else expect(bound).toBeGreaterThan(Math.sqrt(3 / 128));
      const norm = m.tensors.get("blk.0.attn_norm.weight")!;
      expect(norm.type).toBe("F32");
      expect(Math.abs(norm.values.reduce((a, v) => a + v, 0) / 64 - 1)).toBeLessThan(0.05);
    }
  });

  it("refuses a tokenizer whose size differs from the config's vocabulary", () => {
    expect(() => createRandomModel({ seed: 1, config: tinyConfig({ vocabSize: 321 }), tensorType: "F32", tokenizer: fixtureTokenizer() })).toThrow(
      /tokenizer has 320 tokens but config.vocabSize is 321/,
    );
  });

  it("writes tied-embedding models without output.weight", () => {
    const m = createRandomModel({ seed: 2, config: tinyConfig({ tiedEmbeddings: true }), tensorType: "F32", tokenizer: fixtureTokenizer() });
    const file = readGguf(modelToGguf(m));
    expect(file.tensors.some((t) => t.name === "output.weight")).toBe(false);
    expect(ggufToModel(modelToGguf(m)).config.tiedEmbeddings).toBe(true);
  });

  const adapter = (): LoraAdapter => {
    const prng = createPrng("lora");
    const pair = (target: string, nIn: number, nOut: number) => ({
      target, nIn, nOut,
      a: Float32Array.from({ length: nIn * 4 }, () => prng.nextGaussian()),
      b: Float32Array.from({ length: 4 * nOut }, () => prng.nextGaussian()),
    });
    return { rank: 4, alpha: 8, pairs: [pair("blk.0.attn_q.weight", 64, 64), pair("blk.1.ffn_down.weight", 96, 64), pair("output.weight", 64, 320)] };
  };

  it("writes a LoRA adapter llama.cpp's way (lora_a ne [n_in, r], lora_b ne [r, n_out]) and reads it back", () => {
    const a = adapter();
    const bytes = loraAdapterToGguf(a, { baseModelName: "tiny" });
    const file = readGguf(bytes);
    expect(file.metadata.get("general.type")).toEqual({ type: "string", value: "adapter" });
    expect(file.metadata.get("adapter.type")).toEqual({ type: "string", value: "lora" });
    expect(file.metadata.get("adapter.lora.alpha")).toEqual({ type: "float32", value: 8 });
    expect(file.tensors.slice(0, 2).map((t) => [t.name, t.shape])).toEqual([
      ["blk.0.attn_q.weight.lora_a", [64, 4]],
      ["blk.0.attn_q.weight.lora_b", [4, 64]],
    ]);
    const base = readGguf(modelToGguf(createRandomModel({ seed: 1, config: tinyConfig(), tensorType: "Q8_0", tokenizer: fixtureTokenizer() })));
    expect(validateLoraGguf(file, base).targets).toEqual(["blk.0.attn_q.weight", "blk.1.ffn_down.weight", "output.weight"]);
    expect(ggufToLoraAdapter(bytes)).toEqual(a);
  });

  it("rejects an adapter whose shapes do not fit the base or whose ranks differ", () => {
    const a = adapter();
    a.pairs[1] = { ...a.pairs[1], target: "blk.1.ffn_up.weight" }; // ffn_up maps 64 → 96, not 96 → 64
    const base = readGguf(modelToGguf(createRandomModel({ seed: 1, config: tinyConfig(), tensorType: "F32", tokenizer: fixtureTokenizer() })));
    expect(() => validateLoraGguf(readGguf(loraAdapterToGguf(a, { baseModelName: "tiny" })), base)).toThrow(
      /blk.1.ffn_up.weight: adapter maps 96 → 64, base tensor is \[64, 96\]/,
    );
    const file = readGguf(loraAdapterToGguf(adapter(), { baseModelName: "tiny" }));
    file.tensors[0].shape = [64, 3];
    expect(() => validateLoraGguf(file)).toThrow(/lora_a rank 3 but lora_b ne\[0\] 4/);
  });
});
