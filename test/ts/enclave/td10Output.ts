import { concatHex, encodeAbiParameters, numberToHex, type Hex } from "viem";

/**
 * Automata DCAP outputs for a TDX TD10 quote, written from Intel's TD10 report layout
 * independently of the Solidity builder (test/solidity/utils/Td10OutputBuilder.sol), so the two
 * cross-check each other. Unread fields are 0xff so a parser reading at a wrong offset notices.
 */
export type Td10OutputSpec = {
  layout: "v1.0" | "v1.1";
  tcbStatus: number;
  debug: boolean;
  mrTd: Hex;
  rtmr: readonly [Hex, Hex, Hex, Hex];
  reportData: Hex;
};

const ff = (n: number): Hex => `0x${"ff".repeat(n)}`;

export function td10Output(spec: Td10OutputSpec): Hex {
  const tdAttributes: Hex = spec.debug ? "0x0100001000000000" : "0x0000001000000000";
  const body = concatHex([
    ff(16), // teeTcbSvn
    ff(48), // mrSeam
    ff(48), // mrSignerSeam
    ff(8), // seamAttributes
    tdAttributes,
    ff(8), // xfam
    spec.mrTd,
    ff(48), // mrConfigId
    ff(48), // mrOwner
    ff(48), // mrOwnerConfig
    ...spec.rtmr,
    spec.reportData,
  ]);
  const fmspc: Hex = "0x00806f050000";
  const status = numberToHex(spec.tcbStatus, { size: 1 });
  if (spec.layout === "v1.0") {
    return concatHex([numberToHex(4, { size: 2 }), "0x00000081", status, fmspc, body]);
  }
  const advisories = encodeAbiParameters([{ type: "string[]" }], [["INTEL-SA-00837"]]);
  return concatHex([numberToHex(4, { size: 2 }), numberToHex(2, { size: 2 }), status, fmspc, body, advisories]);
}
