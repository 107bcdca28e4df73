/** Errors of holdout sealing; none is retryable, each says what to do next. */

export class SealingError extends Error {
  override name = "SealingError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A key has the wrong length or is not a valid X25519 key. */
export class HpkeKeyError extends SealingError {
  override name = "HpkeKeyError";
  constructor(
    readonly which: "publicKey" | "privateKey" | "ikm",
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`HPKE ${which} ${problem}. Pass the 32-byte X25519 key the enclave published (IEnclaveRegistry.hpkePublicKey).`, options);
  }
}

/** The bytes are not a holdout envelope this version understands (truncated, other format, other suite). */
export class HoldoutEnvelopeFormatError extends SealingError {
  override name = "HoldoutEnvelopeFormatError";
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`Not a sealed holdout envelope: ${problem}. Seal the holdout again with \`sealHoldout\` (envelope v1, HPKE X25519/HKDF-SHA256/AES-256-GCM).`, options);
  }
}

/** The envelope was sealed for another context than the one the opener expects. */
export class HoldoutInfoMismatchError extends SealingError {
  override name = "HoldoutInfoMismatchError";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Holdout was sealed for context "${actual}", not "${expected}". Use the holdout sealed for this Forge.`);
  }
}

/**
 * Decryption failed: the envelope was sealed to another key, or its bytes (header, enc or
 * ciphertext) were changed. AEAD cannot tell which; both mean this enclave must not use it.
 */
export class HoldoutOpenError extends SealingError {
  override name = "HoldoutOpenError";
  constructor(options?: { cause?: unknown }) {
    super(
      "Cannot open the sealed holdout: it was sealed to another enclave key, or its bytes were altered. " +
        "Check that the creator sealed it to this enclave's registered HPKE public key, and fetch it again by its root.",
      options,
    );
  }
}

/** The bytes are not a data-contribution envelope this version understands. */
export class ContributionEnvelopeFormatError extends SealingError {
  override name = "ContributionEnvelopeFormatError";
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`Not a sealed data contribution: ${problem}. Seal the JSONL file with \`sealContribution\` (envelope "IFDC" v1, HPKE X25519/HKDF-SHA256/AES-256-GCM).`, options);
  }
}

/** A binding field is not usable (chain id out of range, address malformed). */
export class ContributionBindingError extends SealingError {
  override name = "ContributionBindingError";
  constructor(problem: string) {
    super(`Cannot bind the contribution: ${problem}. Pass the chain id, the Forge's address and the contributor's address.`);
  }
}

/**
 * Decryption failed: sealed to another enclave key, or some byte (binding, enc, ciphertext) was
 * changed after sealing. AEAD cannot tell which; either way the enclave must not use it.
 */
export class ContributionOpenError extends SealingError {
  override name = "ContributionOpenError";
  constructor(options?: { cause?: unknown }) {
    super(
      "Cannot open the sealed contribution: it was sealed to another enclave key, or its bytes were altered after sealing. " +
        "Seal the file again to the Forge's enclave HPKE key (`forge contribute-data` does) and contribute the new root.",
      options,
    );
  }
}
