import { contributionInfo, CONTRIBUTION_ENVELOPE_VERSION } from "./contributionSuite.js";
import { encodeContributionEnvelope, encodeContributionEnvelopeHeader } from "./encodeContributionEnvelope.js";
import { HpkeKeyError, SealingError } from "./errors.js";
import { HOLDOUT_AEAD_ID, HOLDOUT_KDF_ID, HOLDOUT_KEM_ID, holdoutSuite, X25519_KEY_LENGTH } from "./holdoutSuite.js";
import type { ContributionBinding, ContributionEnvelope } from "./types.js";

export interface SealContributionParameters {
  /** The contribution's JSONL bytes (validated by the caller). */
  plaintext: Uint8Array;
  /** The Forge's enclave's 32-byte X25519 key (IEnclaveRegistry.enclave(signer).hpkePublicKey). */
  recipientPublicKey: Uint8Array;
  /** Chain, Forge and the address that will send `contributeData`. */
  binding: ContributionBinding;
  /** RFC 9180 DeriveKeyPair input for the ephemeral key: tests only (reuse would reuse the AES key). */
  ephemeralIkm?: Uint8Array;
}

export interface SealContributionReturnType {
  envelope: ContributionEnvelope;
  /** `encodeContributionEnvelope(envelope)`: what gets stored; its 0G root and length go on chain. */
  bytes: Uint8Array;
}

/**
 * The contributor's step: encrypt a data file to the Forge's enclave (RFC 9180 base mode,
 * single-shot), bound to (chain id, Forge, contributor). Only the enclave can read it, and it
 * opens only for that triple: a copy contributed by anyone else is excluded as unbound.
 */
export async function sealContribution(params: SealContributionParameters): Promise<SealContributionReturnType> {
  const { plaintext, recipientPublicKey, binding } = params;
  if (recipientPublicKey.length !== X25519_KEY_LENGTH) {
    throw new HpkeKeyError("publicKey", `is ${recipientPublicKey.length} bytes, not ${X25519_KEY_LENGTH}`);
  }
  const info = contributionInfo(binding);
  const suite = holdoutSuite();
  const recipientKey = await suite.kem.deserializePublicKey(recipientPublicKey).catch((cause: unknown) => {
    throw new HpkeKeyError("publicKey", "is not a valid X25519 public key", { cause });
  });
  const ekm = params.ephemeralIkm === undefined ? undefined : await suite.kem.deriveKeyPair(params.ephemeralIkm);
  try {
    const sender = await suite.createSenderContext({ recipientPublicKey: recipientKey, info, ekm });
    const head = { version: CONTRIBUTION_ENVELOPE_VERSION, kemId: HOLDOUT_KEM_ID, kdfId: HOLDOUT_KDF_ID, aeadId: HOLDOUT_AEAD_ID, binding, enc: new Uint8Array(sender.enc) } as const;
    const ciphertext = new Uint8Array(await sender.seal(plaintext, encodeContributionEnvelopeHeader(head)));
    const envelope: ContributionEnvelope = { ...head, ciphertext };
    return { envelope, bytes: encodeContributionEnvelope(envelope) };
  } catch (cause) {
    throw new SealingError("Sealing the contribution failed inside HPKE. Check the recipient key; this is not retryable.", { cause });
  }
}
