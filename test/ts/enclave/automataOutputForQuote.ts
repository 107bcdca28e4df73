import { bytesToHex, concatBytes, hexToBytes, type Hex } from "viem";

/**
 * What Automata's DCAP verifier outputs (v1.0 layout: uint16 quoteVersion ‖ bytes4 tee ‖ uint8
 * tcbStatus ‖ bytes6 fmspc ‖ TD10 body) for a raw TDX v4 quote it accepted, so that
 * MockAutomataDcapAttestation can be primed with the output the real verifier would give for the
 * quote an enclave produced. The body is copied from the quote, not rebuilt.
 */
export function automataOutputForQuote(quote: Hex, options: { tcbStatus?: number; fmspc?: Hex } = {}): Hex {
  const bytes = hexToBytes(quote);
  const version = new DataView(bytes.buffer, bytes.byteOffset).getUint16(0, true);
  if (version !== 4) throw new Error(`only v4 quotes are handled here, not v${version}`);
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint16(0, version); // big-endian, as Solidity's abi.encodePacked(uint16)
  header.set([0x00, 0x00, 0x00, 0x81], 2);
  header[6] = options.tcbStatus ?? 0;
  header.set(hexToBytes(options.fmspc ?? "0x00806f050000"), 7);
  return bytesToHex(concatBytes([header, bytes.subarray(48, 48 + 584)]));
}
