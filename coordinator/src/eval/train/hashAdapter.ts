import { createHash } from "node:crypto";
import type { LoraAdapter } from "../model/types.js";
import { f32Bytes } from "./fingerprintInputs.js";

/**
 * sha256 (hex) of an adapter's canonical bytes: a version tag, rank and alpha, then each pair in
 * target-name order with its name, n_in, n_out and the little-endian float32 bytes of A and B.
 * Two adapters hash the same exactly when they would make the same GGUF tensors.
 */
export function hashAdapter(adapter: LoraAdapter): string {
  const h = createHash("sha256");
  const head = new DataView(new ArrayBuffer(16));
  head.setUint32(0, adapter.rank, true);
  head.setFloat64(4, adapter.alpha, true);
  head.setUint32(12, adapter.pairs.length, true);
  h.update("ingotforge/lora-adapter/v1\n");
  h.update(new Uint8Array(head.buffer));
  const pairs = adapter.pairs.slice().sort((x, y) => (x.target < y.target ? -1 : x.target > y.target ? 1 : 0));
  for (const p of pairs) {
    const dims = new DataView(new ArrayBuffer(8));
    dims.setUint32(0, p.nIn, true);
    dims.setUint32(4, p.nOut, true);
    h.update(`${p.target}\n`);
    h.update(new Uint8Array(dims.buffer));
    h.update(f32Bytes(p.a));
    h.update(f32Bytes(p.b));
  }
  return h.digest("hex");
}
