import { hkdfSync } from "node:crypto";

/** HKDF info of the proof key: changing it changes the gateway's key. */
const PROOF_KEY_INFO = "ingotforge gateway proof key v1";

/**
 * The 32-byte Ed25519 seed of the gateway's proof key from key material an enclave holds
 * (dstack's KMS-derived key for the gateway's path, or a simulated seed): HKDF-SHA256 (RFC 5869)
 * with no salt and a fixed info string. The same material always gives the same key, so a
 * restarted enclave keeps signing with the key its attestation names.
 * @throws RangeError when `material` is shorter than 32 bytes.
 */
export function deriveProofKeySeed(material: Uint8Array): Uint8Array {
  if (!(material instanceof Uint8Array) || material.length < 32) throw new RangeError(`the proof key's material is at least 32 bytes, got ${material instanceof Uint8Array ? material.length : typeof material}`);
  return new Uint8Array(hkdfSync("sha256", material, new Uint8Array(0), PROOF_KEY_INFO, 32));
}
