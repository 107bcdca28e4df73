import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPrng } from "../../../coordinator/src/util/prng.js";
import { createScoringEngine } from "../../../coordinator/src/eval/engine/createScoringEngine.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { createTensor } from "../../../coordinator/src/eval/model/createTensor.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { ggufToLoraAdapter } from "../../../coordinator/src/eval/model/ggufToLoraAdapter.js";
import { loraAdapterToGguf } from "../../../coordinator/src/eval/model/loraAdapterToGguf.js";
import type { LoraAdapter, Qwen2Config } from "../../../coordinator/src/eval/model/types.js";
import { convertPeftAdapter } from "../../../coordinator/src/eval/peft/convertPeftAdapter.js";
import { convertPeftAdapterToGguf } from "../../../coordinator/src/eval/peft/convertPeftAdapterToGguf.js";
import { PeftAdapterError, PeftConfigError, SafetensorsFormatError } from "../../../coordinator/src/eval/peft/errors.js";
import { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from "../../../coordinator/src/eval/peft/halfFloats.js";
import { loraAdapterToPeft } from "../../../coordinator/src/eval/peft/loraAdapterToPeft.js";
import { parseAdapterConfig } from "../../../coordinator/src/eval/peft/parseAdapterConfig.js";
import { MODULE_ORDER, ggufTargetName, moduleShape } from "../../../coordinator/src/eval/peft/peftModuleNames.js";
import { readPeftAdapterDirectory } from "../../../coordinator/src/eval/peft/readPeftAdapterDirectory.js";
import { readSafetensors } from "../../../coordinator/src/eval/peft/readSafetensors.js";
import { writeSafetensors } from "../../../coordinator/src/eval/peft/writeSafetensors.js";
import { fixtureTokenizer, tinyConfig } from "./fixtures/tinyModels.js";

/** A safetensors file from an explicit header object and data bytes, as the format spells it out. */
function rawSafetensors(header: object, data: Uint8Array, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(out.buffer).setFloat32(4 * i, v, true));
  return out;
}

/** A LoRA adapter on every qwen2 projection (and the output layer unless tied), in converter order. */
function randomAdapter(config: Qwen2Config, rank: number, seed: string, alpha = 16): LoraAdapter {
  const prng = createPrng(seed);
  const pairs = [];
  for (let layer = 0; layer <= config.numLayers; layer++) {
    for (const module of MODULE_ORDER) {
      if ((module === "lm_head") !== (layer === config.numLayers)) continue;
      if (module === "lm_head" && config.tiedEmbeddings) continue;
      const [nIn, nOut] = moduleShape(module, config);
      const a = Float32Array.from({ length: rank * nIn }, () => 0.2 * prng.nextGaussian());
      const b = Float32Array.from({ length: nOut * rank }, () => 0.2 * prng.nextGaussian());
      pairs.push({ target: ggufTargetName(module, layer), nIn, nOut, a, b });
    }
  }
  return { rank, alpha, pairs };
}

const QLORA_CONFIG = {
  alpha_pattern: {},
  auto_mapping: null,
  base_model_name_or_path: "Qwen/Qwen2.5-Coder-3B-Instruct",
  bias: "none",
  fan_in_fan_out: false,
  inference_mode: true,
  init_lora_weights: true,
  layers_pattern: null,
  layers_to_transform: null,
  lora_alpha: 32,
  lora_dropout: 0.05,
  megatron_config: null,
  modules_to_save: null,
  peft_type: "LORA",
  r: 4,
  rank_pattern: {},
  revision: null,
  target_modules: ["v_proj", "q_proj"],
  task_type: "CAUSAL_LM",
  use_dora: false,
  use_rslora: false,
};

describe("readSafetensors / writeSafetensors", () => {
  it("reads F32, F16 and BF16 tensors and metadata from a file laid out by hand", () => {
    const data = new Uint8Array([
      ...f32le([1.5, -2]),
      0x00, 0x3c, 0x00, 0xc0, // F16 1, -2
      0x80, 0x3f, 0x49, 0x40, // BF16 1, 3.140625
    ]);
    const file = rawSafetensors(
      {
        __metadata__: { format: "pt" },
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        h: { dtype: "F16", shape: [1, 2], data_offsets: [8, 12] },
        b: { dtype: "BF16", shape: [2], data_offsets: [12, 16] },
      },
      data,
      3,
    );
    const { metadata, tensors } = readSafetensors(file);
    expect(metadata).toEqual({ format: "pt" });
    expect([...tensors.get("a")!.values]).toEqual([1.5, -2]);
    expect(tensors.get("h")).toMatchObject({ dtype: "F16", shape: [1, 2] });
    expect([...tensors.get("h")!.values]).toEqual([1, -2]);
    expect([...tensors.get("b")!.values]).toEqual([1, 3.140625]);
  });

  it("writes a header padded with spaces to 8 bytes, tensors in name order, and reads back what it wrote", () => {
    const bytes = writeSafetensors(
      [
        { name: "z", dtype: "F32", shape: [3], values: [0.1, 0.2, 0.3] },
        { name: "m", dtype: "BF16", shape: [2, 1], values: [1, -0.5] },
        { name: "a", dtype: "F16", shape: [1], values: [65504] },
      ],
      { format: "pt" },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.a.data_offsets).toEqual([0, 2]);
    expect(header.m.data_offsets).toEqual([2, 6]);
    expect(header.z.data_offsets).toEqual([6, 18]);
    const back = readSafetensors(bytes).tensors;
    expect([...back.get("z")!.values]).toEqual([...Float32Array.from([0.1, 0.2, 0.3])]);
    expect([...back.get("m")!.values]).toEqual([1, -0.5]);
    expect([...back.get("a")!.values]).toEqual([65504]);
  });

  const good = { t: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  it.each([
    ["a file shorter than 8 bytes", new Uint8Array(5), /shorter than the 8-byte/],
    ["a header length past the end", rawSafetensors(good, f32le([1, 2])).map((b, i) => (i === 0 ? 0xff : b)), /runs past/],
    ["a header that is not JSON", (() => { const f = rawSafetensors(good, f32le([1, 2])); f[8] = 0x5b; return f; })(), /not UTF-8 JSON/],
    ["an unsupported dtype", rawSafetensors({ t: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /dtype I64/],
    ["offsets that disagree with the shape", rawSafetensors({ t: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32le([1, 2])), /needs 12 bytes/],
    ["a truncated data section", rawSafetensors(good, f32le([1])), /truncated/],
    ["a gap between tensors", rawSafetensors({ t: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32le([1, 2])), /gap of 4 bytes/],
    [
      "overlapping tensors",
      rawSafetensors({ t: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, u: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32le([1, 2])),
      /overlaps/,
    ],
    ["bytes that belong to no tensor", rawSafetensors(good, f32le([1, 2, 3])), /4 bytes after the last tensor/],
    ["a bad shape", rawSafetensors({ t: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32le([1])), /not a list of sizes/],
  ])("rejects %s with a clear error", (_what, bytes, message) => {
    const err = (() => {
      try {
        readSafetensors(bytes as Uint8Array);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(SafetensorsFormatError);
    expect(err!.message).toMatch(message as RegExp);
    expect(err!.message).toContain("copied completely");
  });
});

describe("half-precision conversions", () => {
  it("round-trips every finite F16 and BF16 bit pattern", () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const h = f16BitsToFloat(bits);
      if (!Number.isNaN(h)) expect(floatToF16Bits(h)).toBe(bits);
      const b = bf16BitsToFloat(bits);
      if (!Number.isNaN(b)) expect(floatToBf16Bits(b)).toBe(bits);
    }
  });

  it("rounds BF16 ties to even", () => {
    expect(bf16BitsToFloat(floatToBf16Bits(1 + 2 ** -8))).toBe(1); // tie, 1 is even
    expect(bf16BitsToFloat(floatToBf16Bits(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6); // tie, odd rounds up
    expect(bf16BitsToFloat(floatToBf16Bits(1 + 2 ** -8 + 2 ** -12))).toBe(1 + 2 ** -7);
  });
});

describe("parseAdapterConfig", () => {
  it("reads a QLoRA adapter_config.json as peft writes it", () => {
    const c = parseAdapterConfig(JSON.stringify(QLORA_CONFIG));
    expect(c).toEqual({
      rank: 4, loraAlpha: 32, targetModules: ["v_proj", "q_proj"], useRslora: false, fanInFanOut: false, scale: 8,
      baseModelName: "Qwen/Qwen2.5-Coder-3B-Instruct",
    });
  });

  it("scales rsLoRA adapters by alpha / √r", () => {
    expect(parseAdapterConfig({ ...QLORA_CONFIG, r: 16, use_rslora: true }).scale).toBe(8);
  });

  it.each([
    ["DoRA", { use_dora: true }, /use_dora/],
    ["trained biases", { bias: "lora_only" }, /biases are trained/],
    ["modules_to_save", { modules_to_save: ["lm_head"] }, /modules_to_save \(lm_head\)/],
    ["per-module ranks", { rank_pattern: { q_proj: 8 } }, /rank_pattern/],
    ["another PEFT method", { peft_type: "IA3" }, /peft_type is IA3/],
    ["a missing rank", { r: undefined }, /r: /],
    ["a zero alpha", { lora_alpha: 0 }, /lora_alpha/],
  ])("refuses %s", (_what, change, message) => {
    expect(() => parseAdapterConfig({ ...QLORA_CONFIG, ...change })).toThrow(PeftConfigError);
    expect(() => parseAdapterConfig({ ...QLORA_CONFIG, ...change })).toThrow(message);
  });

  it("refuses text that is not JSON", () => {
    expect(() => parseAdapterConfig("{r: 4")).toThrow(/not JSON/);
  });
});

describe("convertPeftAdapter", () => {
  const config = tinyConfig(); // hidden 64, 4 heads, 2 KV heads (k/v out 32), ffn 96, vocab 320

  it("maps peft names to GGUF targets and copies torch's [r, in] / [out, r] values without transposing", () => {
    const r = 2;
    // q_proj of layer 1: A[k][i] = 1000k + i (torch row-major), B[o][k] = -(10o + k).
    const a = Array.from({ length: r * 64 }, (_, j) => 1000 * Math.floor(j / 64) + (j % 64));
    const b = Array.from({ length: 64 * r }, (_, j) => -(10 * Math.floor(j / r) + (j % r)));
    const bytes = writeSafetensors([
      { name: "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", dtype: "F32", shape: [r, 64], values: a },
      { name: "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight", dtype: "F32", shape: [64, r], values: b },
    ]);
    const { adapter } = convertPeftAdapter({ configJson: { ...QLORA_CONFIG, r, lora_alpha: 8 }, safetensors: bytes, baseConfig: config });
    expect(adapter.rank).toBe(2);
    expect(adapter.alpha).toBe(8);
    const [pair] = adapter.pairs;
    expect(pair).toMatchObject({ target: "blk.1.attn_q.weight", nIn: 64, nOut: 64 });
    // ggml A ne [n_in, r]: A[k][i] at k·n_in + i; B ne [r, n_out]: B[o][k] at o·r + k.
    expect(pair.a[1 * 64 + 5]).toBe(1005);
    expect(pair.b[7 * r + 1]).toBe(-71);
  });

  it("turns a PEFT-layout copy of a native adapter back into the same adapter value for value, lm_head included", () => {
    const native = randomAdapter(config, 4, "native", 12);
    const peft = loraAdapterToPeft(native, { baseModelName: "tiny" });
    const { adapter } = convertPeftAdapter({ configJson: peft.configJson, safetensors: peft.safetensors, baseConfig: config });
    expect(adapter.pairs.map((p) => p.target)).toContain("output.weight");
    expect(adapter.pairs).toHaveLength(2 * 7 + 1);
    expect(adapter).toEqual(native);
  });

  it("keeps BF16 and F16 adapters equal to the native values rounded to that type", () => {
    const native = randomAdapter(config, 2, "half");
    for (const [dtype, round] of [
      ["BF16", (x: number) => bf16BitsToFloat(floatToBf16Bits(x))],
      ["F16", (x: number) => f16BitsToFloat(floatToF16Bits(x))],
    ] as const) {
      const peft = loraAdapterToPeft(native, { dtype });
      const { adapter } = convertPeftAdapter({ configJson: peft.configJson, safetensors: peft.safetensors, baseConfig: config });
      adapter.pairs.forEach((p, k) => {
        expect([...p.a]).toEqual([...native.pairs[k].a].map(round));
        expect([...p.b]).toEqual([...native.pairs[k].b].map(round));
      });
    }
  });

  it("writes the same GGUF bytes as the native adapter, and llama.cpp's reader gets the native adapter back", () => {
    const native = randomAdapter(config, 4, "gguf", 8);
    const peft = loraAdapterToPeft(native);
    const converted = convertPeftAdapterToGguf({ configJson: peft.configJson, safetensors: peft.safetensors, baseConfig: config, baseModelName: "tiny" });
    expect(Buffer.from(converted).equals(Buffer.from(loraAdapterToGguf(native, { baseModelName: "tiny" })))).toBe(true);
    expect(ggufToLoraAdapter(converted)).toEqual(native);
  });

  it("sets the GGUF alpha so llama.cpp's alpha / r equals peft's rsLoRA scale alpha / √r", () => {
    const native = randomAdapter(config, 4, "rs");
    const peft = loraAdapterToPeft(native);
    const cfg = { ...JSON.parse(peft.configJson), lora_alpha: 6, use_rslora: true };
    const { adapter } = convertPeftAdapter({ configJson: cfg, safetensors: peft.safetensors, baseConfig: config });
    expect(adapter.alpha / adapter.rank).toBeCloseTo(6 / Math.sqrt(4), 14);
  });

  describe("refusals", () => {
    const pairTensors = (name: string, inDim: number, outDim: number, r = 2) => [
      { name: `${name}.lora_A.weight`, dtype: "F32" as const, shape: [r, inDim], values: new Array(r * inDim).fill(0.1) },
      { name: `${name}.lora_B.weight`, dtype: "F32" as const, shape: [outDim, r], values: new Array(outDim * r).fill(0.1) },
    ];
    const convert = (tensors: ReturnType<typeof pairTensors>, over: object = {}, base = config) =>
      convertPeftAdapter({
        configJson: { ...QLORA_CONFIG, r: 2, target_modules: ["q_proj", "k_proj", "v_proj", "lm_head"], ...over },
        safetensors: writeSafetensors(tensors),
        baseConfig: base,
      });
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PeftAdapterError);
        return (e as Error).message;
      }
      throw new Error("expected a refusal");
    };

    it("refuses a k_proj whose B has the full head count instead of the KV heads (GQA shape check)", () => {
      expect(refusal(() => convert(pairTensors("base_model.model.model.layers.0.self_attn.k_proj", 64, 64)))).toMatch(
        /blk\.0\.attn_k\.weight: lora_B has shape \[64,2\], expected \[out=32, r=2\]/,
      );
    });

    it("refuses unknown modules, embeddings and layers the base does not have", () => {
      const msg = refusal(() =>
        convert([
          ...pairTensors("base_model.model.model.layers.0.self_attn.rotary", 64, 64),
          ...pairTensors("base_model.model.model.layers.5.self_attn.q_proj", 64, 64),
          { name: "base_model.model.model.embed_tokens.lora_embedding_A", dtype: "F32", shape: [2, 320], values: new Array(640).fill(0) },
        ]),
      );
      expect(msg).toContain("self_attn.rotary is not a qwen2 linear layer");
      expect(msg).toContain("layer 5 does not exist in a 2-layer base");
      expect(msg).toContain("embed_tokens.lora_embedding_A: not a LoRA A/B weight");
    });

    it("refuses a pair with a missing half and a module not in target_modules", () => {
      const [aOnly] = pairTensors("base_model.model.model.layers.0.self_attn.q_proj", 64, 64);
      const msg = refusal(() => convert([aOnly, ...pairTensors("base_model.model.model.layers.0.mlp.up_proj", 64, 96)]));
      expect(msg).toContain("blk.0.attn_q.weight: lora_B is missing");
      expect(msg).toContain("module up_proj is not in target_modules");
    });

    it("refuses lm_head LoRA on a base with tied embeddings (llama.cpp has no output.weight to adapt)", () => {
      expect(refusal(() => convert(pairTensors("base_model.model.lm_head", 64, 320), {}, tinyConfig({ tiedEmbeddings: true })))).toMatch(
        /ties its output layer/,
      );
    });

    it("matches a regex target_modules against full module names as peft does", () => {
      const tensors = pairTensors("base_model.model.model.layers.1.self_attn.v_proj", 64, 32);
      expect(convert(tensors, { target_modules: ".*layers\\.1\\..*(v_proj)" }).adapter.pairs[0].target).toBe("blk.1.attn_v.weight");
      expect(refusal(() => convert(tensors, { target_modules: ".*layers\\.0\\..*" }))).toMatch(/not in target_modules/);
    });
  });

  it("reads a directory peft saved and names the missing file when there is none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "peft-"));
    try {
      const peft = loraAdapterToPeft(randomAdapter(config, 2, "dir"));
      await writeFile(join(dir, "adapter_config.json"), peft.configJson);
      await expect(readPeftAdapterDirectory(dir)).rejects.toThrow(/adapter_model\.safetensors.*safe_serialization=True/);
      await writeFile(join(dir, "adapter_model.safetensors"), peft.safetensors);
      const files = await readPeftAdapterDirectory(dir);
      expect(convertPeftAdapter({ ...files, baseConfig: config }).adapter.pairs).toHaveLength(15);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a converted PEFT adapter on llama.cpp", () => {
  it("scores exactly as the native adapter and as the base merged by peft's own rule W + s·B·A (within 1e-4 per token)", async () => {
    const config = tinyConfig();
    const base = createRandomModel({ seed: "peft-base", config, tensorType: "F32", tokenizer: fixtureTokenizer() });

    // A PEFT rsLoRA adapter (r = 4, lora_alpha = 6 → s = 6/√4 = 3) on every projection and lm_head.
    const peft = loraAdapterToPeft(randomAdapter(config, 4, "peft-scoring"));
    const configJson = { ...JSON.parse(peft.configJson), lora_alpha: 6, use_rslora: true };
    const s = 3;

    // peft's meaning, straight from the torch tensors: W[o][i] += s · Σ_k B[o][k] · A[k][i].
    const torch = readSafetensors(peft.safetensors).tensors;
    const merged = { ...base, name: "merged", tensors: new Map(base.tensors) };
    for (const [name, a] of torch) {
      if (!name.includes("lora_A")) continue;
      const b = torch.get(name.replace("lora_A", "lora_B"))!;
      const target = name.startsWith("base_model.model.lm_head")
        ? "output.weight"
        : name.replace(/^base_model\.model\.model\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_A\.weight$/, (_m, l, mod) =>
            ggufTargetName(mod, Number(l)),
          );
      const w = base.tensors.get(target)!;
      const [r, nIn] = a.shape;
      const nOut = b.shape[0];
      const values = Float64Array.from(w.values);
      for (let o = 0; o < nOut; o++)
        for (let i = 0; i < nIn; i++) {
          let d = 0;
          for (let k = 0; k < r; k++) d += b.values[o * r + k] * a.values[k * nIn + i];
          values[o * nIn + i] += s * d;
        }
      merged.tensors.set(target, createTensor(target, w.shape, "F32", values));
    }

    const dir = await mkdtemp(join(tmpdir(), "peft-score-"));
    try {
      const paths = { base: join(dir, "base.gguf"), merged: join(dir, "merged.gguf"), converted: join(dir, "converted.gguf"), native: join(dir, "native.gguf") };
      await writeFile(paths.base, modelToGguf(base));
      await writeFile(paths.merged, modelToGguf(merged));
      const { adapter } = convertPeftAdapter({ configJson, safetensors: peft.safetensors, baseConfig: config });
      await writeFile(paths.converted, convertPeftAdapterToGguf({ configJson, safetensors: peft.safetensors, baseConfig: config, baseModelName: base.name }));
      await writeFile(paths.native, loraAdapterToGguf({ ...adapter, pairs: adapter.pairs.map((p) => ({ ...p, a: p.a.slice(), b: p.b.slice() })) }, { baseModelName: base.name }));

      const prng = createPrng("peft-seqs");
      const sequences = Array.from({ length: 4 }, (_, k) => ({
        id: `s${k}`,
        tokens: Array.from({ length: 40 }, () => prng.nextInt(config.vocabSize)),
        scoreFrom: 5,
      }));
      const engine = await createScoringEngine({ modelPath: paths.base, mode: "exact", threads: 2 });
      const mergedEngine = await createScoringEngine({ modelPath: paths.merged, mode: "exact", threads: 2 });
      try {
        const plain = await engine.scoreSequences(sequences);
        const converted = await engine.scoreSequences(sequences, { adapterPath: paths.converted });
        const native = await engine.scoreSequences(sequences, { adapterPath: paths.native });
        const byMerge = await mergedEngine.scoreSequences(sequences);
        let maxVsMerge = 0;
        let meanVsBase = 0;
        converted.forEach((c, k) => {
          expect(c.tokenLogProbs).toEqual(native[k].tokenLogProbs);
          c.tokenLogProbs.forEach((lp, j) => {
            maxVsMerge = Math.max(maxVsMerge, Math.abs(lp - byMerge[k].tokenLogProbs[j]));
            meanVsBase += Math.abs(lp - plain[k].tokenLogProbs[j]) / (c.tokenLogProbs.length * converted.length);
          });
        });
        expect(maxVsMerge).toBeLessThan(1e-4);
        // The adapter matters: a wrong orientation or scale could not hide inside the tolerance.
        expect(meanVsBase).toBeGreaterThan(100 * 1e-4);
      } finally {
        await engine.dispose();
        await mergedEngine.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
