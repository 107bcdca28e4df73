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

/**
 * Who a data contribution belongs to: the chain, the Forge and the address that sends
 * `contributeData`. Sealed into every contribution envelope (header, HPKE `info` and AEAD
 * associated data), so the envelope opens only for this triple.
 */
export interface ContributionBinding {
  /** EIP-155 chain id (at most 2^53 − 1 here; encoded as u64). */
  chainId: number;
  forge: `0x${string}`;
  contributor: `0x${string}`;
}

/**
 * A sealed data contribution, decoded (format "IFDC" v1, `encodeContributionEnvelope`).
 *
 * Byte layout, all integers big-endian:
 *
 *   "IFDC" magic (4) ‖ version u8 (=1) ‖ kemId u16 ‖ kdfId u16 ‖ aeadId u16
 *   ‖ chainId u64 ‖ forge (20) ‖ contributor (20) ‖ encLength u16 ‖ enc ‖ ciphertext (rest, tag included)
 *
 * The binding is in the clear so anyone (the coordinator first) can tell whom an envelope was
 * sealed for without opening it; it is also in the HPKE key schedule (`contributionInfo`) and,
 * with the rest of the header, the AEAD's associated data, so rewriting it makes the envelope
 * impossible to open instead of moving it to another sender.
 */
export interface ContributionEnvelope {
  version: 1;
  kemId: number;
  kdfId: number;
  aeadId: number;
  binding: ContributionBinding;
  /** The encapsulated ephemeral X25519 public key (32 bytes). */
  enc: Uint8Array;
  /** AES-256-GCM ciphertext of the JSONL file, 16-byte tag at the end. */
  ciphertext: Uint8Array;
}
