import { encodeAbiParameters, isHex, keccak256, size, toBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { EnclaveInputError, SimulatedQuoteChainError } from "../errors.js";

/**
 * The simulated platform's private key. It is PUBLIC on purpose — `keccak256("ingotforge.simulated-platform.v1")` —
 * so nothing about a simulated quote is secure; SimulatedQuoteVerifier therefore accepts them only on chain 31337.
 * Its address is the `platformSigner` every development deployment gives SimulatedQuoteVerifier.
 */
export const SIMULATED_PLATFORM_PRIVATE_KEY: Hex = keccak256(toBytes("ingotforge.simulated-platform.v1"));

/** Address of {@link SIMULATED_PLATFORM_PRIVATE_KEY} (pinned in the Solidity tests too). */
export const SIMULATED_PLATFORM_ADDRESS = privateKeyToAccount(SIMULATED_PLATFORM_PRIVATE_KEY).address;

/** The only chain that accepts simulated quotes (Hardhat's default). */
export const SIMULATION_CHAIN_ID = 31337;

/** Domain tag of the signed digest; must equal SimulatedQuoteVerifier.QUOTE_DOMAIN. */
export const SIMULATED_QUOTE_DOMAIN = "IngotForge simulated TDX quote v1";

export type BuildSimulatedQuoteParameters = {
  chainId: number;
  /** 32-byte enclave measurement the Forge and the registry allow-list name. */
  measurement: Hex;
  /** The enclave's report data, normally `reportDataFor(signer, hpkePublicKey, chainId, quoteBlockHash)` (64 bytes). */
  reportData: Hex;
  /** Claim a debug enclave (the registry refuses those; useful to test that it does). */
  debug?: boolean;
};

export type BuildSimulatedQuoteReturnType = Hex;

const quoteTuple = [
  {
    type: "tuple",
    components: [
      { name: "measurement", type: "bytes32" },
      { name: "reportData", type: "bytes" },
      { name: "debug", type: "bool" },
      { name: "signature", type: "bytes" },
    ],
  },
] as const;

/**
 * A quote SimulatedQuoteVerifier accepts: `abi.encode(SimulatedQuote(measurement, reportData,
 * debug, signature))`, where the platform key personal-signs (EIP-191) the 32-byte digest
 * `keccak256(abi.encode("IngotForge simulated TDX quote v1", chainId, measurement,
 * keccak256(reportData), debug))`.
 */
export async function buildSimulatedQuote(parameters: BuildSimulatedQuoteParameters): Promise<BuildSimulatedQuoteReturnType> {
  const { chainId, measurement, reportData, debug = false } = parameters;
  if (chainId !== SIMULATION_CHAIN_ID) throw new SimulatedQuoteChainError(chainId);
  if (!isHex(measurement, { strict: true }) || size(measurement) !== 32) {
    throw new EnclaveInputError("measurement", "is not 32 bytes");
  }
  if (!isHex(reportData, { strict: true })) throw new EnclaveInputError("reportData", "is not hex");

  const digest = keccak256(
    encodeAbiParameters(
      [{ type: "string" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bool" }],
      [SIMULATED_QUOTE_DOMAIN, BigInt(chainId), measurement, keccak256(reportData), debug],
    ),
  );
  const signature = await privateKeyToAccount(SIMULATED_PLATFORM_PRIVATE_KEY).signMessage({ message: { raw: digest } });
  return encodeAbiParameters(quoteTuple, [{ measurement, reportData, debug, signature }]);
}
