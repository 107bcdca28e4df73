import { canonicalJson } from "./canonicalJson.js";
import { sha256Hex } from "./sha256Hex.js";

/**
 * The ArkForge response hash: SHA-256 (bare lowercase hex) of the canonical JSON of the response
 * body the gateway returned (for a streamed call, the assembled non-streaming response object).
 *
 * @throws CanonicalJsonError when the body holds something canonical JSON cannot write.
 */
export function hashResponse(response: unknown): string {
  return sha256Hex(canonicalJson(response));
}
