import { bytesToHex, getAddress } from "viem";
import { CONTRIBUTION_ENVELOPE_MAGIC, CONTRIBUTION_ENVELOPE_VERSION, CONTRIBUTION_FIXED_HEADER_LENGTH } from "./contributionSuite.js";
import { ContributionEnvelopeFormatError } from "./errors.js";
import { HOLDOUT_AEAD_ID, HOLDOUT_KDF_ID, HOLDOUT_KEM_ID, X25519_KEY_LENGTH } from "./holdoutSuite.js";
import type { ContributionEnvelope } from "./types.js";

const AEAD_TAG_LENGTH = 16;

export interface DecodeContributionEnvelopeReturnType {
  envelope: ContributionEnvelope;
  /** The exact header bytes read (the AEAD associated data). */
  header: Uint8Array;
}

/** True when `bytes` start with the contribution envelope's magic ("IFDC"): sealed, or meant to be. */
export function looksSealedContribution(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && CONTRIBUTION_ENVELOPE_MAGIC.every((b, i) => bytes[i] === b);
}

/** Parse envelope bytes, refusing anything but a v1 contribution envelope of the holdout's HPKE suite. */
export function decodeContributionEnvelope(bytes: Uint8Array): DecodeContributionEnvelopeReturnType {
  if (!looksSealedContribution(bytes)) throw new ContributionEnvelopeFormatError('it does not start with "IFDC"');
  if (bytes.length < CONTRIBUTION_FIXED_HEADER_LENGTH) throw new ContributionEnvelopeFormatError(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== CONTRIBUTION_ENVELOPE_VERSION) throw new ContributionEnvelopeFormatError(`version ${version} is not supported (expected ${CONTRIBUTION_ENVELOPE_VERSION})`);
  const kemId = view.getUint16(5);
  const kdfId = view.getUint16(7);
  const aeadId = view.getUint16(9);
  if (kemId !== HOLDOUT_KEM_ID || kdfId !== HOLDOUT_KDF_ID || aeadId !== HOLDOUT_AEAD_ID) {
    throw new ContributionEnvelopeFormatError(`suite (kem ${kemId}, kdf ${kdfId}, aead ${aeadId}) is not X25519/HKDF-SHA256/AES-256-GCM (32, 1, 2)`);
  }
  const chainId = view.getBigUint64(11);
  if (chainId === 0n || chainId > BigInt(Number.MAX_SAFE_INTEGER)) throw new ContributionEnvelopeFormatError(`chain id ${chainId} is out of range`);
  const encLength = view.getUint16(59);
  if (encLength !== X25519_KEY_LENGTH) throw new ContributionEnvelopeFormatError(`enc is ${encLength} bytes, not ${X25519_KEY_LENGTH}`);
  const headerLength = CONTRIBUTION_FIXED_HEADER_LENGTH + encLength;
  if (bytes.length < headerLength + AEAD_TAG_LENGTH) throw new ContributionEnvelopeFormatError("it ends before a complete ciphertext");
  return {
    envelope: {
      version: CONTRIBUTION_ENVELOPE_VERSION,
      kemId,
      kdfId,
      aeadId,
      binding: {
        chainId: Number(chainId),
        forge: getAddress(bytesToHex(bytes.subarray(19, 39))),
        contributor: getAddress(bytesToHex(bytes.subarray(39, 59))),
      },
      enc: bytes.slice(CONTRIBUTION_FIXED_HEADER_LENGTH, headerLength),
      ciphertext: bytes.slice(headerLength),
    },
    header: bytes.slice(0, headerLength),
  };
}
