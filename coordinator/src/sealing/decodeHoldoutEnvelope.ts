import { HOLDOUT_ENVELOPE_MAGIC, HOLDOUT_ENVELOPE_VERSION } from "./encodeHoldoutEnvelope.js";
import { HoldoutEnvelopeFormatError } from "./errors.js";
import { HOLDOUT_AEAD_ID, HOLDOUT_KDF_ID, HOLDOUT_KEM_ID, X25519_KEY_LENGTH } from "./holdoutSuite.js";
import type { HoldoutEnvelope } from "./types.js";

const AEAD_TAG_LENGTH = 16;

export interface DecodeHoldoutEnvelopeReturnType {
  envelope: HoldoutEnvelope;
  /** The exact header bytes read (the AEAD associated data). */
  header: Uint8Array;
}

/** Parse envelope bytes, refusing anything but a v1 envelope of the holdout suite. */
export function decodeHoldoutEnvelope(bytes: Uint8Array): DecodeHoldoutEnvelopeReturnType {
  if (bytes.length < 15) throw new HoldoutEnvelopeFormatError(`only ${bytes.length} bytes`);
  for (let i = 0; i < HOLDOUT_ENVELOPE_MAGIC.length; i++) {
    if (bytes[i] !== HOLDOUT_ENVELOPE_MAGIC[i]) throw new HoldoutEnvelopeFormatError('it does not start with "IFHE"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== HOLDOUT_ENVELOPE_VERSION) throw new HoldoutEnvelopeFormatError(`version ${version} is not supported (expected ${HOLDOUT_ENVELOPE_VERSION})`);
  const kemId = view.getUint16(5);
  const kdfId = view.getUint16(7);
  const aeadId = view.getUint16(9);
  if (kemId !== HOLDOUT_KEM_ID || kdfId !== HOLDOUT_KDF_ID || aeadId !== HOLDOUT_AEAD_ID) {
    throw new HoldoutEnvelopeFormatError(
      `suite (kem 0x${hex4(kemId)}, kdf 0x${hex4(kdfId)}, aead 0x${hex4(aeadId)}) is not X25519/HKDF-SHA256/AES-256-GCM (0x0020, 0x0001, 0x0002)`,
    );
  }
  const infoLength = view.getUint16(11);
  if (bytes.length < 15 + infoLength) throw new HoldoutEnvelopeFormatError("it ends inside the info field");
  let info: string;
  try {
    info = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(13, 13 + infoLength));
  } catch (cause) {
    throw new HoldoutEnvelopeFormatError("info is not valid UTF-8", { cause });
  }
  const encLength = view.getUint16(13 + infoLength);
  if (encLength !== X25519_KEY_LENGTH) throw new HoldoutEnvelopeFormatError(`enc is ${encLength} bytes, not ${X25519_KEY_LENGTH}`);
  const headerLength = 15 + infoLength + encLength;
  if (bytes.length < headerLength + AEAD_TAG_LENGTH) throw new HoldoutEnvelopeFormatError("it ends before a complete ciphertext");
  return {
    envelope: {
      version: HOLDOUT_ENVELOPE_VERSION,
      kemId,
      kdfId,
      aeadId,
      info,
      enc: bytes.slice(15 + infoLength, headerLength),
      ciphertext: bytes.slice(headerLength),
    },
    header: bytes.slice(0, headerLength),
  };
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}
