import { canonicalJson } from "./canonicalJson.js";
import { ProofInputError } from "./errors.js";
import type { ChainFields, ChainFormula } from "./types.js";

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The exact string whose SHA-256 is the chain hash (its UTF-8 bytes are hashed).
 *
 * - `"canonical-json"` (spec 1.2 / 2.1): canonical JSON of `{buyer_fingerprint, request_hash,
 *   response_hash, seller, timestamp, transaction_id}` plus `upstream_timestamp` and
 *   `receipt_content_hash` when present and non-empty (keys sorted, so they land in order).
 * - `"legacy"` (spec 1.1 / 2.0): `request_hash + response_hash + transaction_id + timestamp +
 *   buyer_fingerprint + seller [+ upstream_timestamp] [+ receipt_content_hash]`, no separator.
 *
 * `receipt_content_hash` loses a `sha256:` prefix first.
 *
 * @throws ProofInputError when a hash is not 64 lowercase hex digits (a `sha256:`-prefixed hash
 *   passed where bare hex belongs is the usual cause) or a string field is not a string.
 */
export function chainHashInput(fields: ChainFields, formula: ChainFormula): string {
  for (const name of ["request_hash", "response_hash", "buyer_fingerprint"] as const) {
    if (typeof fields[name] !== "string" || !HEX64.test(fields[name])) {
      throw new ProofInputError(name, fields[name], "must be 64 lowercase hex digits", "Pass the bare SHA-256 hex digest, without the sha256: prefix");
    }
  }
  for (const name of ["transaction_id", "timestamp", "seller"] as const) {
    if (typeof fields[name] !== "string") throw new ProofInputError(name, fields[name], "must be a string", "Pass the value exactly as the proof JSON holds it");
  }
  const upstream = present(fields.upstream_timestamp, "upstream_timestamp");
  let receipt = present(fields.receipt_content_hash, "receipt_content_hash");
  if (receipt !== undefined) {
    receipt = receipt.startsWith("sha256:") ? receipt.slice("sha256:".length) : receipt;
    if (!HEX64.test(receipt)) throw new ProofInputError("receipt_content_hash", fields.receipt_content_hash, "must be 64 lowercase hex digits", "Pass the SHA-256 of the raw receipt bytes");
  }
  if (formula === "legacy") {
    return fields.request_hash + fields.response_hash + fields.transaction_id + fields.timestamp + fields.buyer_fingerprint + fields.seller + (upstream ?? "") + (receipt ?? "");
  }
  if (formula !== "canonical-json") throw new ProofInputError("formula", formula, 'must be "canonical-json" or "legacy"', "Pick the formula with chainFormulaForVersion(spec_version)");
  const data: Record<string, string> = {
    buyer_fingerprint: fields.buyer_fingerprint,
    request_hash: fields.request_hash,
    response_hash: fields.response_hash,
    seller: fields.seller,
    timestamp: fields.timestamp,
    transaction_id: fields.transaction_id,
  };
  if (upstream !== undefined) data.upstream_timestamp = upstream;
  if (receipt !== undefined) data.receipt_content_hash = receipt;
  return canonicalJson(data);
}

/** The spec includes an optional field "only when present and non-null" (the reference tests truthiness, so "" is absent too). */
function present(value: string | null | undefined, name: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new ProofInputError(name, value, "must be a string", "Pass the value exactly as the proof JSON holds it, or leave it out");
  return value;
}
