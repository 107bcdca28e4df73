import { createHash } from "node:crypto";

/**
 * SHA-256 (hex) of a canonical JSON rendering of `inputs` (object keys sorted, no whitespace):
 * the key of everything a utility depends on (base model hash, holdout hash, contribution
 * hashes, training hyper-parameters, engine build), so a cache is only reused for the same run.
 * Accepts plain JSON values plus bigint (as a decimal string) and Uint8Array (as hex).
 */
export function hashInputs(inputs: unknown): string {
  return createHash("sha256").update(canonicalJson(inputs)).digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return JSON.stringify(`${value}n`);
  if (value instanceof Uint8Array) return JSON.stringify(`0x${Buffer.from(value).toString("hex")}`);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot hash the non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new TypeError(`cannot hash a value of type ${typeof value}`);
}
