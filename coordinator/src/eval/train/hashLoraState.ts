import { createHash } from "node:crypto";

/** Little-endian bytes of a float64 array (a copy only on a big-endian host). */
export function f64Bytes(values: Float64Array): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat64(i * 8, values[i], true);
  return out;
}

/**
 * sha256 (hex) of a LoRA checkpoint: a version tag, then every parameter in order with its name
 * and its float64 master values (little-endian). Two runs hash the same exactly when their
 * parameters are equal bit for bit.
 */
export function hashLoraState(paramNames: readonly string[], values: readonly Float64Array[]): string {
  const h = createHash("sha256");
  h.update("ingotforge/lora-state/v1\n");
  paramNames.forEach((name, i) => {
    h.update(`${name}\n${values[i].length}\n`);
    h.update(f64Bytes(values[i]));
  });
  return h.digest("hex");
}
