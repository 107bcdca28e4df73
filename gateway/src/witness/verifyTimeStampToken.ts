import * as pkijs from "pkijs";
import { readTimeStampToken } from "./readTimeStampToken.js";

export interface TimeStampTokenCheck {
  /** The token's imprint as 64 lowercase hex (what it time-stamps). */
  imprintHex: string;
  genTime: Date;
  /** `true`: signed by the pinned certificate (or a chain to it); `false`: not; `undefined`: no certificate given. */
  signedByPinned?: boolean;
  /** Why the signature check failed, when it did. */
  signatureDetail?: string;
}

/**
 * Read a DER TimeStampToken and, when `pinnedCertificatePem` is given, check with pkijs that it
 * time-stamps `data` (its imprint is the hash of `data`) and that its CMS signature chains to that
 * certificate as the only trust anchor (the TSA's published certificate, e.g. the local TSA's
 * `tsa.crt`).
 *
 * @throws Error when the bytes are not a time-stamp token (a signature that fails is reported, not thrown).
 */
export async function verifyTimeStampToken(der: Uint8Array, data: Uint8Array, pinnedCertificatePem?: string): Promise<TimeStampTokenCheck> {
  const contents = readTimeStampToken(der);
  const base = { imprintHex: contents.imprintHex, genTime: contents.genTime };
  if (pinnedCertificatePem === undefined) return base;
  const body = pinnedCertificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  const pinned = pkijs.Certificate.fromBER(Buffer.from(body, "base64"));
  try {
    const result = await contents.signedData.verify({ signer: 0, trustedCerts: [pinned], checkChain: true, extendedMode: true, data: Uint8Array.from(data).buffer });
    return { ...base, signedByPinned: result.signatureVerified === true, ...(result.signatureVerified ? {} : { signatureDetail: result.message ?? "signature does not verify" }) };
  } catch (error) {
    const message = (error as { message?: string })?.message ?? (error as { date?: unknown })?.toString() ?? String(error);
    return { ...base, signedByPinned: false, signatureDetail: message };
  }
}
