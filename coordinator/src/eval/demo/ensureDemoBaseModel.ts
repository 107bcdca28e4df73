import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { hashInputs } from "../attribution/hashInputs.js";
import { modelToGguf } from "../model/modelToGguf.js";
import { computeLogProbs } from "../train/computeLogProbs.js";
import { TrainAbortedError, TrainError } from "../train/errors.js";
import { deserializeTrainState, serializeTrainState } from "../train/serializeTrainState.js";
import type { TrainProgress, TrainState } from "../train/types.js";
import { buildDemoBaseModel } from "./buildDemoBaseModel.js";
import { DEMO_MODEL_CODE_VERSION, DEMO_MODEL_SPEC, type DemoModelSpec } from "./demoModelSpec.js";
import { DemoAbortedError, DemoDataError, DemoError } from "./errors.js";

/** Default cache root, relative to the working directory (gitignored). */
export const DEFAULT_CACHE_DIR = ".ingotforge/cache";
export const DEFAULT_CORPUS_PATH = "data/demo/pretrain-corpus.txt";

export interface EnsureDemoBaseModelParameters {
  /** Cache root; the model lives in `<cacheDir>/demo-model/<key>/`. Default `.ingotforge/cache`. */
  cacheDir?: string;
  /** Pre-training corpus file. Default `data/demo/pretrain-corpus.txt`. */
  corpusPath?: string;
  /** Default `DEMO_MODEL_SPEC`; tests pass a tiny one. */
  spec?: DemoModelSpec;
  onProgress?: (p: DemoModelProgress) => void;
  /** Ctrl-C: stops after the current pretraining step; the checkpoint on disk resumes the next call. */
  signal?: AbortSignal;
}

export type DemoModelProgress =
  | { phase: "resume"; step: number }
  | ({ phase: "pretrain" } & TrainProgress)
  | { phase: "quantize" };

export interface DemoModelManifest {
  format: "ingotforge-demo-model/1";
  key: string;
  codeVersion: string;
  corpus: { sha256: string; bytes: number };
  spec: DemoModelSpec;
  gguf: { file: string; sha256: string; bytes: number };
  pretrain: {
    steps: number;
    windows: number;
    firstLoss: number;
    finalLoss: number;
    /** Wall time of the call that finished the build (a resumed build counts only its own part). */
    wallMs: number;
    tokensPerSecond: number;
  };
  /** Mean NLL per token on the first pre-training windows, F32 weights vs the stored base type (trainer's float64 forward). */
  quantization: { windows: number; nllF32: number; nllStored: number };
}

export interface EnsureDemoBaseModelReturnType {
  /** Absolute path of the base GGUF. */
  path: string;
  key: string;
  manifest: DemoModelManifest;
  /** false when the cache already held it. */
  built: boolean;
}

/**
 * The cache key: sha256 over the code version, the corpus bytes and every field of the spec.
 * Any change to an input makes a new key (and so a new build); nothing else does.
 */
export function demoModelCacheKey(corpus: Uint8Array, spec: DemoModelSpec): string {
  return hashInputs({ codeVersion: DEMO_MODEL_CODE_VERSION, corpusSha256: sha256(corpus), spec });
}

/**
 * Path of the deterministic demo base GGUF, building it on first use: BPE tokenizer on the
 * corpus, seeded qwen2 pre-trained on it, 2-D weights quantized (Q4_0 by default), written with
 * modelToGguf. Cached by `demoModelCacheKey`; a second call reads the manifest and returns.
 * Stopped builds resume from the last pretraining checkpoint (bit-identical result).
 */
export async function ensureDemoBaseModel(params: EnsureDemoBaseModelParameters = {}): Promise<EnsureDemoBaseModelReturnType> {
  const spec = params.spec ?? DEMO_MODEL_SPEC;
  const corpusPath = params.corpusPath ?? DEFAULT_CORPUS_PATH;
  let corpusBytes: Uint8Array;
  try {
    corpusBytes = new Uint8Array(await readFile(corpusPath));
  } catch (cause) {
    throw new DemoDataError(`cannot read the pre-training corpus ${corpusPath}; run from the repository root or pass corpusPath`, { cause });
  }
  const key = demoModelCacheKey(corpusBytes, spec);
  const dir = resolve(params.cacheDir ?? DEFAULT_CACHE_DIR, "demo-model", key);
  const path = join(dir, "model.gguf");
  const manifestPath = join(dir, "manifest.json");
  const statePath = join(dir, "pretrain-state.bin");

  const cached = await readManifest(manifestPath, key);
  if (cached) {
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes && sha256(bytes) === cached.gguf.sha256) return { path, key, manifest: cached, built: false };
  }

  await mkdir(dir, { recursive: true });
  let resumeFrom: TrainState | undefined;
  const saved = await readFile(statePath).catch(() => undefined);
  if (saved) {
    try {
      resumeFrom = deserializeTrainState(new Uint8Array(saved));
      params.onProgress?.({ phase: "resume", step: resumeFrom.step });
    } catch {
      // A torn or foreign checkpoint only costs the steps it held: start over.
      resumeFrom = undefined;
    }
  }
  const writeState = async (state: TrainState) => atomicWrite(statePath, serializeTrainState(state));
  let pending: Promise<void> = Promise.resolve();

  let built;
  try {
    built = await buildDemoBaseModel({
      corpus: new TextDecoder("utf-8", { fatal: true }).decode(corpusBytes),
      spec,
      ...(resumeFrom ? { resumeFrom } : {}),
      onCheckpoint: (state) => {
        pending = pending.then(() => writeState(state));
      },
      ...(params.signal ? { signal: params.signal } : {}),
      ...(params.onProgress ? { onProgress: (p: TrainProgress) => params.onProgress!({ phase: "pretrain", ...p }) } : {}),
    });
  } catch (err) {
    await pending;
    if (err instanceof TrainAbortedError) {
      await writeState(err.state as TrainState);
      throw new DemoAbortedError(`demo base model build stopped after pretraining step ${err.step}; run it again to resume from there (${statePath})`, { cause: err });
    }
    if (resumeFrom && err instanceof TrainError) {
      // A checkpoint from other inputs cannot share this key's folder unless the code changed: drop it.
      await rm(statePath, { force: true });
      throw new DemoError(`the pretraining checkpoint in ${dir} does not fit these inputs and was removed; run again to build from scratch`, { cause: err });
    }
    throw err;
  }
  await pending;
  params.onProgress?.({ phase: "quantize" });
  const gguf = modelToGguf(built.model);
  const probe = built.sequences.slice(0, 4);
  const meanNll = (m: typeof built.model) => {
    const r = computeLogProbs({ model: m, sequences: probe });
    return r.reduce((a, s) => a + s.nll, 0) / r.reduce((a, s) => a + s.tokens, 0);
  };
  const manifest: DemoModelManifest = {
    format: "ingotforge-demo-model/1",
    key,
    codeVersion: DEMO_MODEL_CODE_VERSION,
    corpus: { sha256: sha256(corpusBytes), bytes: corpusBytes.length },
    spec,
    gguf: { file: "model.gguf", sha256: sha256(gguf), bytes: gguf.length },
    pretrain: {
      steps: built.metrics.steps,
      windows: built.sequences.length,
      firstLoss: built.metrics.lossPerStep[0],
      finalLoss: built.metrics.finalLoss,
      wallMs: built.metrics.wallMs,
      tokensPerSecond: built.metrics.tokensPerSecond,
    },
    quantization: { windows: probe.length, nllF32: meanNll(built.f32Model), nllStored: meanNll(built.model) },
  };
  await atomicWrite(path, gguf);
  await atomicWrite(manifestPath, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  await rm(statePath, { force: true });
  return { path, key, manifest, built: true };
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

async function readManifest(path: string, key: string): Promise<DemoModelManifest | undefined> {
  try {
    const m = JSON.parse(await readFile(path, "utf8")) as DemoModelManifest;
    return m.format === "ingotforge-demo-model/1" && m.key === key ? m : undefined;
  } catch {
    return undefined;
  }
}

