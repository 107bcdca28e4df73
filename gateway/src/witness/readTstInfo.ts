import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

/** id-signedData and id-ct-TSTInfo. */
const SIGNED_DATA_OID = "1.2.840.113549.1.7.2";
const TST_INFO_OID = "1.2.840.113549.1.9.16.1.4";

/**
 * The TSTInfo of a parsed TimeStampToken (ContentInfo → SignedData → encapContentInfo →
 * eContent), reached by walking the ASN.1 instead of building pkijs' SignedData, whose
 * certificates and signer infos cost a few milliseconds a token to decode. For reading what a
 * token says; `verifyTimeStampToken` checks its signature.
 *
 * @throws Error naming what is missing when the structure is not a time-stamp token.
 */
export function readTstInfo(token: asn1js.AsnType): pkijs.TSTInfo {
  const seq = (node: unknown, what: string): asn1js.BaseBlock[] => {
    const value = (node as { valueBlock?: { value?: unknown } })?.valueBlock?.value;
    if (!Array.isArray(value)) throw new Error(`the token has no ${what}`);
    return value as asn1js.BaseBlock[];
  };
  const contentInfo = seq(token, "ContentInfo");
  if ((contentInfo[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock?.toString?.() !== SIGNED_DATA_OID) throw new Error("the token is not CMS SignedData");
  const signedData = seq(seq(contentInfo[1], "SignedData wrapper")[0], "SignedData");
  const encap = seq(signedData[2], "encapContentInfo");
  if ((encap[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock?.toString?.() !== TST_INFO_OID) throw new Error("the signed content is not a TSTInfo");
  const octets = seq(encap[1], "eContent")[0];
  if (!(octets instanceof asn1js.OctetString)) throw new Error("the token's eContent is not an OCTET STRING");
  return pkijs.TSTInfo.fromBER(octets.getValue());
}
