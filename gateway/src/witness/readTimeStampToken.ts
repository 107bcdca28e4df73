import * as pkijs from "pkijs";

/** id-ct-TSTInfo: the content type of a time-stamp token's signed data. */
const TST_INFO_OID = "1.2.840.113549.1.9.16.1.4";

export interface TimeStampTokenContents {
  signedData: pkijs.SignedData;
  tstInfo: pkijs.TSTInfo;
  /** The imprint's hash algorithm OID, and the hashed message as 64 lowercase hex (for SHA-256). */
  imprintAlgorithm: string;
  imprintHex: string;
  nonce?: bigint;
  genTime: Date;
  policy: string;
}

/**
 * Parse a DER `TimeStampToken` (a CMS ContentInfo with SignedData over a TSTInfo), with pkijs.
 * Does not check the signature (`verifyTimeStampToken` does).
 *
 * @throws Error (from asn1js/pkijs, or with a reason) when the bytes are not a time-stamp token.
 */
export function readTimeStampToken(der: Uint8Array): TimeStampTokenContents {
  const contentInfo = pkijs.ContentInfo.fromBER(der);
  if (contentInfo.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error(`not CMS SignedData (content type ${contentInfo.contentType})`);
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  const encap = signedData.encapContentInfo;
  if (encap.eContentType !== TST_INFO_OID || !encap.eContent) throw new Error(`the signed content is not a TSTInfo (${encap.eContentType})`);
  const tstInfo = pkijs.TSTInfo.fromBER(encap.eContent.getValue());
  const nonce = tstInfo.nonce ? tstInfo.nonce.toBigInt() : undefined;
  return {
    signedData,
    tstInfo,
    imprintAlgorithm: tstInfo.messageImprint.hashAlgorithm.algorithmId,
    imprintHex: Buffer.from(tstInfo.messageImprint.hashedMessage.getValue()).toString("hex"),
    ...(nonce !== undefined ? { nonce } : {}),
    genTime: tstInfo.genTime,
    policy: tstInfo.policy,
  };
}

