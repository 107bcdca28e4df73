import { createHash } from "node:crypto";
import type { Qwen2Model } from "../model/types.js";
import type { ScoredSequence } from "./types.js";

/** JSON with object keys sorted, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

function f32Bytes(values: Float32Array): Uint8Array {
  // Little-endian on every platform we run on; a big-endian host re-packs.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
  return out;
}

/**
 * sha256 (hex) over everything a training run depends on: the kind of run, the hyper-parameters
 * and seed, the model's config and every tensor value (name-sorted), and the sequences in order.
 * A resume state carries it, so a state is only ever applied to the run that produced it.
 */
export function fingerprintInputs(params: {
  kind: string;
  hyper: unknown;
  model: Qwen2Model;
  sequences: readonly ScoredSequence[];
}): string {
  const h = createHash("sha256");
  h.update(`ingotforge/train/v1\n${params.kind}\n${canonicalJson(params.hyper)}\n${canonicalJson(params.model.config)}\n`);
  const names = [...params.model.tensors.keys()].sort();
  for (const name of names) {
    const t = params.model.tensors.get(name)!;
    h.update(`${name}:${t.shape.join(",")}\n`);
    h.update(f32Bytes(t.values));
  }
  for (const s of params.sequences) {
    h.update(`${JSON.stringify(s.id)}:${s.scoreFrom}:${s.tokens.join(",")}\n`);
  }
  return h.digest("hex");
}

export { f32Bytes };
