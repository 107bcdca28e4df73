import { Aes256Gcm, CipherSuite } from "@hpke/core";
import { DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/dhkem-x25519";

/** RFC 9180 identifiers of the one suite holdouts are sealed with (§7.1–7.3). */
export const HOLDOUT_KEM_ID = 0x0020; // DHKEM(X25519, HKDF-SHA256)
export const HOLDOUT_KDF_ID = 0x0001; // HKDF-SHA256
export const HOLDOUT_AEAD_ID = 0x0002; // AES-256-GCM

/** Context string bound into every holdout's key schedule unless the caller names a narrower one. */
export const DEFAULT_HOLDOUT_INFO = "ingotforge/holdout/v1";

export const X25519_KEY_LENGTH = 32;

/** A fresh suite object per call: suites hold no secrets, but nothing here is shared globally. */
export function holdoutSuite(): CipherSuite {
  return new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
}
