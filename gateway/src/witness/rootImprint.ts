import { createHash } from "node:crypto";

/**
 * What a batch's time-stamp request imprints: SHA-256 of the root's 32 raw bytes (the "root
 * file"), so `openssl ts -verify -data root.bin` and pkijs' TSTInfo check, which both hash the
 * data they are given, accept the token. `rootHex`: 64 lowercase hex digits.
 */
export function rootImprint(rootHex: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(Buffer.from(rootHex, "hex")).digest());
}
