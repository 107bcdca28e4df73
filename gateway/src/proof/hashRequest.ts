import { canonicalJson } from "./canonicalJson.js";
import { sha256Hex } from "./sha256Hex.js";

/**
 * The ArkForge request hash: SHA-256 (bare lowercase hex) of the canonical JSON of the request
 * body, as the gateway received it (the parsed JSON of the HTTP body).
 *
 * @throws CanonicalJsonError when the body holds something canonical JSON cannot write.
 */
export function hashRequest(request: unknown): string {
  return sha256Hex(canonicalJson(request));
}
