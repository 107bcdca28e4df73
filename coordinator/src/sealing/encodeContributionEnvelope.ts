import { CONTRIBUTION_ENVELOPE_MAGIC, CONTRIBUTION_FIXED_HEADER_LENGTH, encodeContributionBinding } from "./contributionSuite.js";
import { ContributionEnvelopeFormatError } from "./errors.js";
import type { ContributionEnvelope } from "./types.js";

/** The header bytes (everything but the ciphertext): the AEAD's associated data. */
export function encodeContributionEnvelopeHeader(envelope: Omit<ContributionEnvelope, "ciphertext">): Uint8Array {
  if (envelope.enc.length > 0xffff) throw new ContributionEnvelopeFormatError(`enc is ${envelope.enc.length} bytes`);
  const out = new Uint8Array(CONTRIBUTION_FIXED_HEADER_LENGTH + envelope.enc.length);
  const view = new DataView(out.buffer);
  out.set(CONTRIBUTION_ENVELOPE_MAGIC, 0);
  view.setUint8(4, envelope.version);
  view.setUint16(5, envelope.kemId);
  view.setUint16(7, envelope.kdfId);
  view.setUint16(9, envelope.aeadId);
  out.set(encodeContributionBinding(envelope.binding), 11);
  view.setUint16(59, envelope.enc.length);
  out.set(envelope.enc, CONTRIBUTION_FIXED_HEADER_LENGTH);
  return out;
}

/** Serialize a sealed contribution to the bytes that get stored under their 0G root (its `sizeBytes` on chain). */
export function encodeContributionEnvelope(envelope: ContributionEnvelope): Uint8Array {
  const header = encodeContributionEnvelopeHeader(envelope);
  const out = new Uint8Array(header.length + envelope.ciphertext.length);
  out.set(header, 0);
  out.set(envelope.ciphertext, header.length);
  return out;
}
