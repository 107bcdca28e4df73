import { HoldoutEnvelopeFormatError } from "./errors.js";
import type { HoldoutEnvelope } from "./types.js";

export const HOLDOUT_ENVELOPE_MAGIC = new Uint8Array([0x49, 0x46, 0x48, 0x45]); // "IFHE"
export const HOLDOUT_ENVELOPE_VERSION = 1;

const MAX_U16 = 0xffff;

/** The header bytes (everything but the ciphertext); they are the AEAD's associated data. */
export function encodeHoldoutEnvelopeHeader(envelope: Omit<HoldoutEnvelope, "ciphertext">): Uint8Array {
  const info = new TextEncoder().encode(envelope.info);
  if (info.length > MAX_U16) throw new HoldoutEnvelopeFormatError(`info is ${info.length} bytes, more than ${MAX_U16}`);
  if (envelope.enc.length > MAX_U16) throw new HoldoutEnvelopeFormatError(`enc is ${envelope.enc.length} bytes`);
  const out = new Uint8Array(4 + 1 + 6 + 2 + info.length + 2 + envelope.enc.length);
  const view = new DataView(out.buffer);
  out.set(HOLDOUT_ENVELOPE_MAGIC, 0);
  view.setUint8(4, envelope.version);
  view.setUint16(5, envelope.kemId);
  view.setUint16(7, envelope.kdfId);
  view.setUint16(9, envelope.aeadId);
  view.setUint16(11, info.length);
  out.set(info, 13);
  view.setUint16(13 + info.length, envelope.enc.length);
  out.set(envelope.enc, 15 + info.length);
  return out;
}

/** Serialize an envelope to the bytes that get stored (and addressed by their 0G root). */
export function encodeHoldoutEnvelope(envelope: HoldoutEnvelope): Uint8Array {
  const header = encodeHoldoutEnvelopeHeader(envelope);
  const out = new Uint8Array(header.length + envelope.ciphertext.length);
  out.set(header, 0);
  out.set(envelope.ciphertext, header.length);
  return out;
}
