import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { PROOF_KEY_BINDING } from "./types.js";

/**
 * The 64 bytes of report data that bind the Ed25519 proof key `publicKeyHex` (64 hex digits) to an
 * enclave quote: SHA-256 of `"ingotforge.gateway.proof-key.v1:<public key, lowercase hex>"`,
 * then 32 zero bytes. The same with coreutils:
 * `printf %s "ingotforge.gateway.proof-key.v1:$PUB" | sha256sum`.
 * @throws RangeError when `publicKeyHex` is not 64 hex digits.
 */
export function proofKeyReportData(publicKeyHex: string): Hex {
  if (!/^[0-9a-fA-F]{64}$/.test(publicKeyHex)) throw new RangeError(`an Ed25519 public key is 64 hex digits, got ${JSON.stringify(publicKeyHex)}`);
  const digest = createHash("sha256").update(`${PROOF_KEY_BINDING}:${publicKeyHex.toLowerCase()}`, "utf8").digest("hex");
  return `0x${digest}${"00".repeat(32)}`;
}
