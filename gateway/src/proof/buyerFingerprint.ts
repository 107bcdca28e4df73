import { ProofInputError } from "./errors.js";
import { sha256Hex } from "./sha256Hex.js";

/**
 * The ArkForge buyer fingerprint: SHA-256 (bare lowercase hex) of the raw API key string's UTF-8
 * bytes — the key exactly as the caller sent it after `Bearer `, nothing trimmed.
 *
 * @throws ProofInputError for an empty key.
 */
export function buyerFingerprint(apiKey: string): string {
  if (typeof apiKey !== "string" || apiKey.length === 0) {
    throw new ProofInputError("apiKey", apiKey, "an API key is a non-empty string", "Pass the bearer token the caller authenticated with");
  }
  return sha256Hex(apiKey);
}
