import { contributionInfo } from "./contributionSuite.js";
import { decodeContributionEnvelope } from "./decodeContributionEnvelope.js";
import { ContributionOpenError, HpkeKeyError } from "./errors.js";
import { holdoutSuite, X25519_KEY_LENGTH } from "./holdoutSuite.js";
import type { ContributionBinding } from "./types.js";

export interface OpenContributionParameters {
  /** The stored envelope bytes (as fetched by root). */
  envelope: Uint8Array;
  /** The enclave's 32-byte X25519 private key. */
  recipientPrivateKey: Uint8Array;
  /**
   * The binding the caller knows from the chain: (chain id, Forge, on-chain sender). The key
   * schedule is built from it, never from the header, so an envelope sealed for anyone else (or
   * whose header was rewritten) fails to open. Check the header's binding first to say why.
   */
  expected: ContributionBinding;
}

/** Decrypt a sealed contribution for its on-chain binding. Meant to run only inside the enclave. */
export async function openContribution(params: OpenContributionParameters): Promise<Uint8Array> {
  const { envelope, header } = decodeContributionEnvelope(params.envelope);
  if (params.recipientPrivateKey.length !== X25519_KEY_LENGTH) {
    throw new HpkeKeyError("privateKey", `is ${params.recipientPrivateKey.length} bytes, not ${X25519_KEY_LENGTH}`);
  }
  const info = contributionInfo(params.expected);
  const suite = holdoutSuite();
  const recipientKey = await suite.kem.deserializePrivateKey(params.recipientPrivateKey).catch((cause: unknown) => {
    throw new HpkeKeyError("privateKey", "is not a valid X25519 private key", { cause });
  });
  try {
    const recipient = await suite.createRecipientContext({ recipientKey, enc: envelope.enc, info });
    return new Uint8Array(await recipient.open(envelope.ciphertext, header));
  } catch (cause) {
    throw new ContributionOpenError({ cause });
  }
}
