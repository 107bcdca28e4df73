import { bytesToHex, hexToBytes, isHex, type Hex } from "viem";
import { TdxQuoteFormatError } from "../adapterErrors.js";
import { tdxMeasurement } from "../dcap/tdxMeasurement.js";

/** Offsets inside a TD10 report body (Intel TDX DCAP Quote Generation Library, A.3.2). */
const TD_ATTRIBUTES = 120;
const MR_TD = 136;
const RTMR0 = 328;
const REPORT_DATA = 520;
const TD10_BODY_LENGTH = 584;
const HEADER_LENGTH = 48;
const TDX_TEE_TYPE = 0x81;

export interface ParseTdxQuoteReturnType {
  version: 4 | 5;
  mrTd: Hex;
  rtmr: readonly [Hex, Hex, Hex, Hex];
  /** The 64 bytes of report data the quote carries. */
  reportData: Hex;
  tdAttributes: Hex;
  /** TUD.DEBUG (bit 0 of TDATTRIBUTES): the TD's memory is readable by the host. */
  debug: boolean;
  /** keccak256(MRTD ‖ RTMR0..3), as DcapQuoteVerifier reports it. */
  measurement: Hex;
}

/**
 * Read the facts the registry cares about out of a raw TDX quote (v4, or v5 with a TD10/TD15
 * body). It does not verify the quote's signature chain: that is the on-chain DCAP verifier's job.
 */
export function parseTdxQuote(quote: Hex): ParseTdxQuoteReturnType {
  if (!isHex(quote, { strict: true })) throw new TdxQuoteFormatError("not hex");
  const bytes = hexToBytes(quote);
  if (bytes.length < HEADER_LENGTH) throw new TdxQuoteFormatError(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(0, true);
  const teeType = view.getUint32(4, true);
  if (teeType !== TDX_TEE_TYPE) throw new TdxQuoteFormatError(`TEE type 0x${teeType.toString(16)} is not TDX (0x81)`);
  let body: number;
  if (version === 4) {
    body = HEADER_LENGTH;
  } else if (version === 5) {
    if (bytes.length < HEADER_LENGTH + 6) throw new TdxQuoteFormatError("v5 quote ends inside its body descriptor");
    const bodyType = view.getUint16(HEADER_LENGTH, true);
    if (bodyType !== 2 && bodyType !== 3) throw new TdxQuoteFormatError(`v5 body type ${bodyType} is not a TD report (2 or 3)`);
    body = HEADER_LENGTH + 6;
  } else {
    throw new TdxQuoteFormatError(`version ${version} is not 4 or 5`);
  }
  if (bytes.length < body + TD10_BODY_LENGTH) throw new TdxQuoteFormatError(`${bytes.length} bytes cannot hold a TD report body`);
  const slice = (at: number, length: number) => bytesToHex(bytes.subarray(body + at, body + at + length));
  const mrTd = slice(MR_TD, 48);
  const rtmr = [0, 1, 2, 3].map((i) => slice(RTMR0 + i * 48, 48)) as unknown as readonly [Hex, Hex, Hex, Hex];
  const tdAttributes = slice(TD_ATTRIBUTES, 8);
  return {
    version,
    mrTd,
    rtmr,
    reportData: slice(REPORT_DATA, 64),
    tdAttributes,
    debug: (bytes[body + TD_ATTRIBUTES] & 1) === 1,
    measurement: tdxMeasurement({ mrTd, rtmr }),
  };
}
