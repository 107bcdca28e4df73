import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { WitnessInputError } from "./errors.js";

/** id-sha256 (NIST). */
export const SHA256_OID = "2.16.840.1.101.3.4.2.1";

/**
 * An RFC 3161 `TimeStampReq` (DER), built with pkijs: version 1, a SHA-256 message imprint of
 * `digest`, the nonce, and `certReq` true (so the token carries the TSA's certificate).
 *
 * @param digest the 32-byte SHA-256 digest to time-stamp (a batch root).
 * @param nonce a positive integer, fresh per request (`randomNonce`).
 * @throws WitnessInputError when the digest is not 32 bytes or the nonce is not positive.
 */
export function buildTimeStampRequest(digest: Uint8Array, nonce: bigint): Uint8Array {
  if (digest.length !== 32) throw new WitnessInputError("digest", digest.length, "not 32 bytes", "pass a SHA-256 digest");
  if (nonce <= 0n) throw new WitnessInputError("nonce", nonce, "not positive", "use randomNonce()");
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: digest }),
    }),
    nonce: asn1js.Integer.fromBigInt(nonce),
    certReq: true,
  });
  return new Uint8Array(request.toSchema().toBER(false));
}
