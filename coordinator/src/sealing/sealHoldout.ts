import { encodeHoldoutEnvelope, encodeHoldoutEnvelopeHeader, HOLDOUT_ENVELOPE_VERSION } from "./encodeHoldoutEnvelope.js";
import { HpkeKeyError, SealingError } from "./errors.js";
import { DEFAULT_HOLDOUT_INFO, HOLDOUT_AEAD_ID, HOLDOUT_KDF_ID, HOLDOUT_KEM_ID, holdoutSuite, X25519_KEY_LENGTH } from "./holdoutSuite.js";
import type { HoldoutEnvelope } from "./types.js";

export interface SealHoldoutParameters {
  /** The holdout file's bytes (JSONL). */
  plaintext: Uint8Array;
  /** The enclave's 32-byte X25519 public key. */
  recipientPublicKey: Uint8Array;
  /** Context bound into the key schedule; default "ingotforge/holdout/v1". */
  info?: string;
  /**
   * RFC 9180 DeriveKeyPair input for the ephemeral key. Only for reproducing test vectors:
   * reusing it across holdouts would reuse the AES key.
   */
  ephemeralIkm?: Uint8Array;
}

export interface SealHoldoutReturnType {
  envelope: HoldoutEnvelope;
  /** `encodeHoldoutEnvelope(envelope)`: what gets stored and committed to by its root. */
  bytes: Uint8Array;
}

/** Encrypt a holdout to an enclave's HPKE key (RFC 9180 base mode, single-shot). */
export async function sealHoldout(params: SealHoldoutParameters): Promise<SealHoldoutReturnType> {
  const { plaintext, recipientPublicKey, info = DEFAULT_HOLDOUT_INFO } = params;
  if (recipientPublicKey.length !== X25519_KEY_LENGTH) {
    throw new HpkeKeyError("publicKey", `is ${recipientPublicKey.length} bytes, not ${X25519_KEY_LENGTH}`);
  }
  const suite = holdoutSuite();
  const recipientKey = await suite.kem.deserializePublicKey(recipientPublicKey).catch((cause: unknown) => {
    throw new HpkeKeyError("publicKey", "is not a valid X25519 public key", { cause });
  });
  const ekm = params.ephemeralIkm === undefined ? undefined : await suite.kem.deriveKeyPair(params.ephemeralIkm);
  const infoBytes = new TextEncoder().encode(info);
  try {
    const sender = await suite.createSenderContext({ recipientPublicKey: recipientKey, info: infoBytes, ekm });
    const enc = new Uint8Array(sender.enc);
    const head = { version: HOLDOUT_ENVELOPE_VERSION, kemId: HOLDOUT_KEM_ID, kdfId: HOLDOUT_KDF_ID, aeadId: HOLDOUT_AEAD_ID, info, enc } as const;
    const ciphertext = new Uint8Array(await sender.seal(plaintext, encodeHoldoutEnvelopeHeader(head)));
    const envelope: HoldoutEnvelope = { ...head, ciphertext };
    return { envelope, bytes: encodeHoldoutEnvelope(envelope) };
  } catch (cause) {
    throw new SealingError("Sealing the holdout failed inside HPKE. Check the recipient key; this is not retryable.", { cause });
  }
}
