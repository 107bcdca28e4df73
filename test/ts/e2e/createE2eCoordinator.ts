import path from "node:path";
import type { CoordinatorConfig } from "../../../coordinator/src/config/coordinatorConfigSchema.js";
import { createCoordinatorService, type CoordinatorService, type CreateCoordinatorServiceParameters } from "../../../coordinator/src/service/createCoordinatorService.js";
import { TINY_LORA_HYPER } from "./e2eFixtures.js";

/**
 * The e2e coordinator service: a simulated-enclave, local-store config under `dataDir` (content in
 * `dataDir/content`), evaluating with the tiny LoRA, one training seed, exact Shapley and full
 * verification. Everything else (workers, threads, events) is passed through.
 */
export function createE2eCoordinator(
  p: { chainId: number; dataDir: string; confirmations: number; logLevel: CoordinatorConfig["logLevel"] } & Omit<CreateCoordinatorServiceParameters, "config" | "eval">,
): CoordinatorService {
  const { chainId, dataDir, confirmations, logLevel, ...service } = p;
  const config: CoordinatorConfig = {
    rpcUrl: "http://127.0.0.1:8545",
    chainId,
    dataDir,
    confirmations,
    logLevel,
    storage: { kind: "local", dir: path.join(dataDir, "content") },
    enclave: { kind: "simulated", forceChain: false },
  };
  return createCoordinatorService({
    ...service,
    config,
    eval: { hyper: TINY_LORA_HYPER, trainingSeeds: [1], method: { kind: "exact-shapley" }, verification: { policy: "full" } },
  });
}
