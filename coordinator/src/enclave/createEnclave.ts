import type { Logger } from "pino";
import type { EnclaveConfig } from "../config/coordinatorConfigSchema.js";
import { createDstackEnclave } from "./dstack/createDstackEnclave.js";
import { createSimulatedEnclave } from "./simulated/createSimulatedEnclave.js";
import type { Enclave } from "./types.js";

export interface CreateEnclaveParameters {
  config: EnclaveConfig;
  /** The chain the coordinator works on (the simulated enclave refuses all but 31337 unless forced). */
  chainId: number;
  logger: Pick<Logger, "warn" | "info" | "error">;
}

/** The enclave the config names. */
export async function createEnclave({ config, chainId, logger }: CreateEnclaveParameters): Promise<Enclave> {
  if (config.kind === "dstack") return createDstackEnclave({ endpoint: config.endpoint, logger });
  return createSimulatedEnclave({ chainId, secretSeed: config.secretSeed as `0x${string}` | undefined, forceChain: config.forceChain, logger });
}
