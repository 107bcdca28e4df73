import { concatBytes, hexToBytes, isHex, keccak256, size, toBytes, type Hex } from "viem";
import type { Logger } from "pino";
import { openContribution } from "../../sealing/openContribution.js";
import { deriveInRunResultKey } from "../../compute/inRun/deriveInRunResultKey.js";
import { openHoldout } from "../../sealing/openHoldout.js";
import { SimulatedEnclaveChainError } from "../adapterErrors.js";
import { deriveEnclaveKeys, HPKE_KEY_PATH, SIGNER_KEY_PATH } from "../deriveEnclaveKeys.js";
import { EnclaveInputError } from "../errors.js";
import type { Enclave, EnclaveDescription } from "../types.js";
import { buildSimulatedQuote, SIMULATION_CHAIN_ID } from "./buildSimulatedQuote.js";
import { SIMULATED_DEFAULT_SEED, SIMULATED_MEASUREMENT } from "./simulatedMeasurement.js";

export interface CreateSimulatedEnclaveParameters {
  chainId: number;
  /** 32 bytes (hex) the keys derive from; default SIMULATED_DEFAULT_SEED (public). */
  secretSeed?: Hex;
  /** Run on a chain other than 31337 (its quotes are still only accepted on 31337). */
  forceChain?: boolean;
  /** Claim a debug enclave in every quote, so tests can check that registries refuse it. */
  debug?: boolean;
  logger: Pick<Logger, "warn" | "info">;
}

/**
 * The embedded default enclave: no hardware, keys from a seed, quotes signed by the public
 * simulated platform key. It says it is simulated at creation (warn level) and in `describe()`.
 */
export async function createSimulatedEnclave(params: CreateSimulatedEnclaveParameters): Promise<Enclave> {
  const { chainId, forceChain = false, debug = false, logger } = params;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new EnclaveInputError("chainId", "is not a positive integer");
  if (chainId !== SIMULATION_CHAIN_ID && !forceChain) throw new SimulatedEnclaveChainError(chainId);
  const seed = params.secretSeed ?? SIMULATED_DEFAULT_SEED;
  if (!isHex(seed, { strict: true }) || size(seed) !== 32) throw new EnclaveInputError("secretSeed", "is not 32 bytes of hex");

  const derive = (path: string) => hexToBytes(keccak256(concatBytes([hexToBytes(seed), toBytes(path)])));
  const hpkeSecret = derive(HPKE_KEY_PATH);
  const { account, hpke, hpkePublicKey } = await deriveEnclaveKeys({ signerSecret: derive(SIGNER_KEY_PATH), hpkeSecret });

  const description: EnclaveDescription = {
    kind: "simulated",
    simulated: true,
    signerAddress: account.address,
    hpkePublicKey,
    measurement: SIMULATED_MEASUREMENT,
    chainId,
  };
  logger.warn(
    { enclave: description, defaultSeed: params.secretSeed === undefined, forcedChain: chainId !== SIMULATION_CHAIN_ID },
    "SIMULATED ENCLAVE: no TEE, no hardware attestation; keys and quotes are forgeable. Development chains only.",
  );

  return {
    kind: "simulated",
    signerAddress: account.address,
    hpkePublicKey,
    async getQuote(reportData) {
      if (!isHex(reportData, { strict: true }) || size(reportData) !== 64) throw new EnclaveInputError("reportData", "is not 64 bytes");
      return buildSimulatedQuote({ chainId, measurement: SIMULATED_MEASUREMENT, reportData, debug });
    },
    signTypedData: (typedData) => account.signTypedData(typedData),
    openSealed: (envelope, options) => openHoldout({ envelope, recipientPrivateKey: hpke.privateKey, expectedInfo: options?.expectedInfo }),
    openContribution: (envelope, expected) => openContribution({ envelope, recipientPrivateKey: hpke.privateKey, expected }),
    inRunResultKey: ({ forge, computeId }) => deriveInRunResultKey({ secret: hpkeSecret, forge, computeId }),
    describe: () => ({ ...description }),
  };
}
