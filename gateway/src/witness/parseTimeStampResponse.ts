import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SHA256_OID } from "./buildTimeStampRequest.js";
import { readTstInfo } from "./readTstInfo.js";

export interface GrantedTimeStamp {
  /** The TimeStampToken exactly as the TSA sent it (DER), for `openssl ts -verify -token_in`. */
  token: Uint8Array;
  genTime: Date;
}

/**
 * Read an RFC 3161 `TimeStampResp` (DER) with pkijs and check it answers the request: status
 * granted (0) or grantedWithMods (1), a token whose TSTInfo imprints `digest` with SHA-256 and
 * carries `nonce`.
 *
 * @returns the token's own bytes (sliced from the response, never re-encoded) and its genTime.
 * @throws Error with the reason when the response is malformed, refused, or for another request.
 */
export function parseTimeStampResponse(der: Uint8Array, digest: Uint8Array, nonce: bigint): GrantedTimeStamp {
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) throw new Error(`not DER: ${asn1.result.error}`);
  const parts = (asn1.result as asn1js.Sequence).valueBlock?.value;
  if (!Array.isArray(parts) || parts.length === 0) throw new Error("not a TimeStampResp (no PKIStatusInfo)");
  const statusInfo = new pkijs.PKIStatusInfo({ schema: parts[0] });
  const status = statusInfo.status;
  if (status !== 0 && status !== 1) {
    const text = statusInfo.statusStrings?.map((s) => s.valueBlock.value).join("; ") ?? "";
    throw new Error(`the TSA refused the request (PKIStatus ${status}${text ? `: ${text}` : ""})`);
  }
  if (parts.length < 2) throw new Error("the response is granted but holds no token");
  const token = new Uint8Array(parts[1]!.valueBeforeDecodeView);
  const tstInfo = readTstInfo(parts[1]!);
  const algorithm = tstInfo.messageImprint.hashAlgorithm.algorithmId;
  if (algorithm !== SHA256_OID) throw new Error(`the token imprints with ${algorithm}, not SHA-256`);
  const imprint = Buffer.from(tstInfo.messageImprint.hashedMessage.getValue()).toString("hex");
  if (imprint !== Buffer.from(digest).toString("hex")) throw new Error(`the token time-stamps ${imprint}, not the digest asked for`);
  const got = tstInfo.nonce?.toBigInt();
  if (got !== nonce) throw new Error(`the token's nonce ${got ?? "(none)"} is not the request's ${nonce}`);
  return { token, genTime: tstInfo.genTime };
}
