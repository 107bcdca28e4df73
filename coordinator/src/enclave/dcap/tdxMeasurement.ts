import { concatHex, isHex, keccak256, size, type Hex } from "viem";
import { EnclaveInputError } from "../errors.js";

export type TdxMeasurementParameters = {
  /** MRTD: 48 bytes, the measurement of the TD's initial (firmware) image. */
  mrTd: Hex;
  /** RTMR0..3: 48 bytes each (firmware config, kernel, command line + initrd, dstack app). */
  rtmr: readonly [Hex, Hex, Hex, Hex];
};

export type TdxMeasurementReturnType = Hex;

/**
 * The measurement DcapQuoteVerifier reports for a TDX quote, and so the value the protocol must
 * allow in the EnclaveRegistry (and each Forge must list): `keccak256(MRTD ‖ RTMR0 ‖ RTMR1 ‖
 * RTMR2 ‖ RTMR3)`. Every RTMR counts because dstack measures the OS into RTMR0-2 and the app's
 * compose hash into RTMR3; leaving one out would admit other code under the same measurement.
 */
export function tdxMeasurement(parameters: TdxMeasurementParameters): TdxMeasurementReturnType {
  if (parameters.rtmr.length !== 4) throw new EnclaveInputError("rtmr", "does not hold exactly four registers");
  const registers: [string, Hex][] = [
    ["mrTd", parameters.mrTd],
    ...parameters.rtmr.map((r, i): [string, Hex] => [`rtmr[${i}]`, r]),
  ];
  for (const [field, value] of registers) {
    if (!isHex(value, { strict: true }) || size(value) !== 48) throw new EnclaveInputError(field, "is not 48 bytes");
  }
  return keccak256(concatHex(registers.map(([, v]) => v)));
}
