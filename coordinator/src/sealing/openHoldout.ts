import { decodeHoldoutEnvelope } from "./decodeHoldoutEnvelope.js";
import { encodeHoldoutEnvelope } from "./encodeHoldoutEnvelope.js";
import { HoldoutInfoMismatchError, HoldoutOpenError, HpkeKeyError } from "./errors.js";
import { holdoutSuite, X25519_KEY_LENGTH } from "./holdoutSuite.js";
import type { HoldoutEnvelope } from "./types.js";

export interface OpenHoldoutParameters {
  /** The stored envelope bytes, or an already decoded envelope. */
  envelope: Uint8Array | HoldoutEnvelope;
  /** The enclave's 32-byte X25519 private key. */
  recipientPrivateKey: Uint8Array;
  /** When given, an envelope sealed for any other context is refused before decryption. */
  expectedInfo?: string;
}

export type OpenHoldoutReturnType = Uint8Array;

/** Decrypt a sealed holdout. Meant to run only inside the enclave process. */
export async function openHoldout(params: OpenHoldoutParameters): Promise<OpenHoldoutReturnType> {
  // A decoded envelope is re-encoded and decoded so it meets the same checks as stored bytes.
  const bytes = params.envelope instanceof Uint8Array ? params.envelope : encodeHoldoutEnvelope(params.envelope);
  const { envelope, header } = decodeHoldoutEnvelope(bytes);
  if (params.expectedInfo !== undefined && params.expectedInfo !== envelope.info) {
    throw new HoldoutInfoMismatchError(params.expectedInfo, envelope.info);
  }
  if (params.recipientPrivateKey.length !== X25519_KEY_LENGTH) {
    throw new HpkeKeyError("privateKey", `is ${params.recipientPrivateKey.length} bytes, not ${X25519_KEY_LENGTH}`);
  }
  const suite = holdoutSuite();
  const recipientKey = await suite.kem.deserializePrivateKey(params.recipientPrivateKey).catch((cause: unknown) => {
    throw new HpkeKeyError("privateKey", "is not a valid X25519 private key", { cause });
  });
  try {
    const recipient = await suite.createRecipientContext({
      recipientKey,
      enc: envelope.enc,
      info: new TextEncoder().encode(envelope.info),
    });
    return new Uint8Array(await recipient.open(envelope.ciphertext, header));
  } catch (cause) {
    throw new HoldoutOpenError({ cause });
  }
}
