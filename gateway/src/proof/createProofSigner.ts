import { createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { ProofInputError, ProofKeyError } from "./errors.js";
import type { ProofSigner } from "./types.js";

/** PKCS#8 DER header of an Ed25519 private key (RFC 8410 §7); the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** The SPKI DER of an Ed25519 public key ends with the 32 raw key bytes. */
const RAW_PUBLIC_KEY_BYTES = 32;

/**
 * A signer over the gateway's Ed25519 key (RFC 8032, deterministic: same key and message, same
 * signature), on Node's OpenSSL: signing is on every call's path, and OpenSSL signs in tens of
 * microseconds where a pure-JS curve takes about half a millisecond. `sign(chainHashHex)` signs the UTF-8
 * bytes of the 64 hex digits, as ArkForge spec §6 does, so
 * `printf %s "$CHAIN" | openssl pkeyutl -verify -rawin …` checks it. (verifyProof checks with an
 * independent implementation, @noble/curves.)
 *
 * @param privateKey the 32-byte Ed25519 seed.
 * @throws ProofKeyError when the key is not 32 bytes.
 */
export function createProofSigner(privateKey: Uint8Array): ProofSigner {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    const length = privateKey instanceof Uint8Array ? `${privateKey.length} bytes` : typeof privateKey;
    throw new ProofKeyError(`An Ed25519 private key is a 32-byte seed, got ${length}`, { hint: "Pass the 32-byte seed, not an expanded 64-byte key or a hex string" });
  }
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, privateKey]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const publicKeyHex = spki.subarray(spki.length - RAW_PUBLIC_KEY_BYTES).toString("hex");
  const signBytes = (message: Uint8Array): string => sign(null, message, key).toString("hex");
  return {
    publicKeyHex,
    sign(chainHashHex: string): string {
      if (typeof chainHashHex !== "string" || !/^[0-9a-f]{64}$/.test(chainHashHex)) {
        throw new ProofInputError("hashes.chain", chainHashHex, "the chain hash to sign is 64 lowercase hex digits", "Pass the bare chain hash, without the sha256: prefix");
      }
      return signBytes(Buffer.from(chainHashHex, "utf8"));
    },
    signBytes,
  };
}
