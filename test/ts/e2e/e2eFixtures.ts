import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, keccak256, toBytes, type Hex } from "viem";
import { ensureDemoBaseModel } from "../../../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { DEMO_MODEL_SPEC, type DemoModelSpec } from "../../../coordinator/src/eval/demo/demoModelSpec.js";
import { DEMO_LORA_HYPER } from "../../../coordinator/src/eval/demo/demoLoraHyper.js";
import type { DatasetExample } from "../../../coordinator/src/eval/dataset/types.js";

/** A base model small enough that every training and scoring in these tests takes milliseconds. */
export const TINY_SPEC: DemoModelSpec = {
  ...DEMO_MODEL_SPEC,
  vocabSize: 420,
  config: { ...DEMO_MODEL_SPEC.config, hiddenSize: 64, numLayers: 1, intermediateSize: 64, numHeads: 2, numKvHeads: 1, contextLength: 512 },
  chunkTokens: 64,
  seed: "ingotforge-e2e-tiny",
  pretrain: { ...DEMO_MODEL_SPEC.pretrain, batchSize: 4, steps: 6, warmupSteps: 1 },
  checkpointEvery: 3,
};

const RUST = [
  ["fn first(v: &[u8]) -> u8 { unsafe { *v.get_unchecked(0) } }", "UNSOUND: an empty slice has no index 0; check is_empty first."],
  ["fn cast(p: *const u8) -> u32 { unsafe { *(p as *const u32) } }", "UNSOUND: the pointer may be misaligned; use read_unaligned."],
  ["fn len(s: &str) -> usize { unsafe { s.as_bytes().len() } }", "SOUND but the unsafe block is needless; remove it."],
  ["fn swap(a: &mut i32, b: &mut i32) { unsafe { std::ptr::swap(a, b) } }", "SOUND: two distinct &mut are valid and never alias."],
  ["fn zeroed() -> String { unsafe { std::mem::zeroed() } }", "UNSOUND: a zeroed String holds a null pointer; use String::new."],
  ["fn tail(v: &[u8], i: usize) -> &[u8] { unsafe { v.get_unchecked(i..) } }", "UNSOUND without i <= v.len(); assert the bound first."],
];
const OTHER = [
  ["How long do I boil an egg?", "About nine minutes for a firm yolk, then cool it in cold water."],
  ["When should tomatoes be planted?", "After the last frost, in full sun, with deep watering."],
];

const example = (prefix: string, i: number, [code, answer]: string[]): DatasetExample => ({ id: `${prefix}-${i}`, prompt: `Review this unsafe block.\n${code}`, response: answer });

/** LoRA settings small enough for a training in well under a second on the tiny base. */
export const TINY_LORA_HYPER = { ...DEMO_LORA_HYPER, rank: 4, alpha: 8, batchSize: 2, steps: 3, warmupSteps: 1 };

/** Relevant data, a second relevant set, off-task text, and the holdout (2 examples: scoring is the slow part). */
export const DATA = {
  alice: RUST.slice(0, 3).map((r, i) => example("alice", i, r)),
  bob: RUST.slice(3, 6).map((r, i) => example("bob", i, r)),
  control: OTHER.map((r, i) => ({ id: `control-${i}`, prompt: r[0], response: r[1] })),
  holdout: [RUST[1], RUST[4]].map(([code, answer], i) => ({
    id: `holdout-${i}`,
    prompt: `Review this unsafe block.\n${code}`,
    // Distinct, searchable plaintext: a test looks for it in every file written.
    response: `${answer} [holdout secret ${i}: HOLDOUT-PLAINTEXT-MARKER-${i}]`,
  })),
};

export function toJsonl(examples: readonly DatasetExample[]): Uint8Array {
  return new TextEncoder().encode(examples.map((e) => JSON.stringify({ id: e.id, prompt: e.prompt, response: e.response })).join("\n") + "\n");
}

/** The tiny base GGUF, built once per cache dir (seconds) from a corpus written here. */
export async function ensureTinyBaseModel(cacheDir: string) {
  await mkdir(cacheDir, { recursive: true });
  const corpusPath = path.join(cacheDir, "corpus.txt");
  const lines = [...RUST, ...OTHER].flatMap(([a, b]) => [a, b]);
  const corpus = Array.from({ length: 12 }, (_, k) => lines.map((l, j) => (j + k) % 3 === 0 ? l.toLowerCase() : l).join("\n")).join("\n\n");
  await writeFile(corpusPath, corpus);
  return ensureDemoBaseModel({ cacheDir, corpusPath, spec: TINY_SPEC });
}

/** A deterministic Ed25519 worker key and its public key. */
export function workerKey(label: string): { privateKey: Uint8Array; publicKey: Hex } {
  const privateKey = toBytes(keccak256(toBytes(`ingotforge e2e worker ${label}`))).slice(0, 32);
  return { privateKey, publicKey: bytesToHex(ed25519.getPublicKey(privateKey)) };
}

/** Every regular file under `dir`, recursively. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) out.push(p);
    }
  };
  if ((await stat(dir).catch(() => undefined))?.isDirectory()) await walk(dir);
  return out;
}

/** Files under `dirs` that contain any of `needles` (as UTF-8 bytes). */
export async function filesContaining(dirs: readonly string[], needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const encoded = needles.map((n) => Buffer.from(n, "utf8"));
  for (const dir of dirs) {
    for (const file of await listFiles(dir)) {
      const bytes = await readFile(file);
      if (encoded.some((n) => bytes.includes(n))) hits.push(file);
    }
  }
  return hits;
}
