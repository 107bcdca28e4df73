import { randomBytes } from "node:crypto";

/** A fresh positive 63-bit nonce for a time-stamp request (never 0). */
export function randomNonce(): bigint {
  const n = randomBytes(8).readBigUInt64BE() >> 1n;
  return n === 0n ? 1n : n;
}
