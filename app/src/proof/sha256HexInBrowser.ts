import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex } from "@noble/hashes/utils";

/**
 * The gateway's `sha256Hex` (gateway/src/proof/sha256Hex.ts, on node:crypto) for the browser:
 * the page's build resolves that module to this one (app/vite.config.ts), so the gateway's own
 * `verifyProof` runs in the page unchanged. A string is hashed as its UTF-8 bytes.
 */
export function sha256Hex(data: string | Uint8Array): string {
  return bytesToHex(sha256(typeof data === "string" ? new TextEncoder().encode(data) : data));
}
