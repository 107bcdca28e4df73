import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex } from "@noble/hashes/utils";
import { ProofInputError, ProofKeyError } from "./errors.js";
import type { ProofSigner } from "./types.js";

/**
 * A signer over the gateway's Ed25519 key (RFC 8032, deterministic: same key and message, same
 * signature). `sign(chainHashHex)` signs the UTF-8 bytes of the 64 hex digits, as ArkForge spec §6
 * does, so `printf %s "$CHAIN" | openssl pkeyutl -verify -rawin …` checks it.
 *
 * @param privateKey the 32-byte Ed25519 seed.
 * @throws ProofKeyError when the key is not 32 bytes.
 */
export function createProofSigner(privateKey: Uint8Array): ProofSigner {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    const length = privateKey instanceof Uint8Array ? `${privateKey.length} bytes` : typeof privateKey;
    throw new ProofKeyError(`An Ed25519 private key is a 32-byte seed, got ${length}`, { hint: "Pass the 32-byte seed, not an expanded 64-byte key or a hex string" });
  }
  const key = Uint8Array.from(privateKey);
  const publicKeyHex = bytesToHex(ed25519.getPublicKey(key));
  const signBytes = (message: Uint8Array): string => bytesToHex(ed25519.sign(message, key));
  return {
    publicKeyHex,
    sign(chainHashHex: string): string {
      if (typeof chainHashHex !== "string" || !/^[0-9a-f]{64}$/.test(chainHashHex)) {
        throw new ProofInputError("hashes.chain", chainHashHex, "the chain hash to sign is 64 lowercase hex digits", "Pass the bare chain hash, without the sha256: prefix");
      }
      return signBytes(new TextEncoder().encode(chainHashHex));
    },
    signBytes,
  };
}
