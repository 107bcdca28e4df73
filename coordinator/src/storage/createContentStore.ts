import { JsonRpcProvider, Wallet } from "ethers";
import type { StorageConfig } from "../config/coordinatorConfigSchema.js";
import { createLocalContentStore } from "./createLocalContentStore.js";
import { createZeroGContentStore, type ZeroGIndexer } from "./createZeroGContentStore.js";
import { StoreSetupError } from "./errors.js";
import type { ContentStore } from "./types.js";

export interface CreateContentStoreParameters {
  /** From `loadConfig` (local `dir` is filled in there). */
  config: StorageConfig;
  /** Only for tests of the zerog branch. */
  indexer?: ZeroGIndexer;
}

/** The content store the config names. */
export async function createContentStore({ config, indexer }: CreateContentStoreParameters): Promise<ContentStore> {
  if (config.kind === "local") {
    if (!config.dir) throw new StoreSetupError("storage.dir is not set. Load the config with loadConfig, which defaults it to <dataDir>/store.");
    return createLocalContentStore({ dir: config.dir });
  }
  const signer = new Wallet(config.privateKey, new JsonRpcProvider(config.evmRpc));
  return createZeroGContentStore({
    indexerRpc: config.indexerRpc,
    evmRpc: config.evmRpc,
    signer,
    indexer,
    uploadTimeoutMs: config.uploadTimeoutMs,
    downloadTimeoutMs: config.downloadTimeoutMs,
  });
}
