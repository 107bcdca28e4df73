/**
 * A sealed holdout, decoded. Everything needed to open it, besides the private key, is in it.
 *
 * Byte layout (`encodeHoldoutEnvelope`), all integers big-endian:
 *
 *   "IFHE" magic (4) ‖ version u8 (=1) ‖ kemId u16 ‖ kdfId u16 ‖ aeadId u16
 *   ‖ infoLength u16 ‖ info (UTF-8) ‖ encLength u16 ‖ enc ‖ ciphertext (rest, AEAD tag included)
 *
 * Everything before the ciphertext (the header) is the AEAD's associated data, so a changed
 * version, suite id, info or enc fails to open instead of being reinterpreted.
 */
export interface HoldoutEnvelope {
  version: 1;
  kemId: number;
  kdfId: number;
  aeadId: number;
  /** RFC 9180 `info`: the context the holdout is bound to, e.g. "ingotforge/holdout/v1". */
  info: string;
  /** The encapsulated ephemeral X25519 public key (32 bytes). */
  enc: Uint8Array;
  /** AES-256-GCM ciphertext of the holdout, 16-byte tag at the end. */
  ciphertext: Uint8Array;
}
