import { decodeAbiParameters, encodeAbiParameters, isHex, keccak256, recoverMessageAddress, type Address, type Hex } from "viem";
import { EnclaveInputError } from "../errors.js";
import { SIMULATED_PLATFORM_ADDRESS, SIMULATED_QUOTE_DOMAIN, SIMULATION_CHAIN_ID } from "./buildSimulatedQuote.js";

export interface ReadSimulatedQuoteReturnType {
  measurement: Hex;
  reportData: Hex;
  debug: boolean;
  /** Who signed the quote's digest (for chain 31337). */
  platformSigner: Address;
  /** Whether that is the public simulated platform key, the only one SimulatedQuoteVerifier accepts. */
  signedBySimulatedPlatform: boolean;
}

/**
 * Read a quote `buildSimulatedQuote` made: its measurement, report data and debug flag, and the
 * key that signed it, recovered as SimulatedQuoteVerifier recovers it (chain 31337). A simulated
 * quote proves nothing about hardware: its platform key is public.
 * @throws EnclaveInputError when `quote` is not an ABI-encoded simulated quote.
 */
export async function readSimulatedQuote(quote: Hex): Promise<ReadSimulatedQuoteReturnType> {
  if (!isHex(quote, { strict: true })) throw new EnclaveInputError("quote", "is not hex");
  let decoded;
  try {
    [decoded] = decodeAbiParameters(
      [{ type: "tuple", components: [{ name: "measurement", type: "bytes32" }, { name: "reportData", type: "bytes" }, { name: "debug", type: "bool" }, { name: "signature", type: "bytes" }] }],
      quote,
    );
  } catch (cause) {
    throw new EnclaveInputError("quote", "is not an ABI-encoded simulated quote (measurement, reportData, debug, signature)", { cause });
  }
  const { measurement, reportData, debug, signature } = decoded;
  const digest = keccak256(
    encodeAbiParameters(
      [{ type: "string" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bool" }],
      [SIMULATED_QUOTE_DOMAIN, BigInt(SIMULATION_CHAIN_ID), measurement, keccak256(reportData), debug],
    ),
  );
  let platformSigner: Address;
  try {
    platformSigner = await recoverMessageAddress({ message: { raw: digest }, signature });
  } catch (cause) {
    throw new EnclaveInputError("quote", "carries no recoverable platform signature", { cause });
  }
  return { measurement, reportData, debug, platformSigner, signedBySimulatedPlatform: platformSigner === SIMULATED_PLATFORM_ADDRESS };
}
