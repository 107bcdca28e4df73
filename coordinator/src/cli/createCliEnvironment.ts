import { loadProtocolAbis } from "../chain/loadProtocolAbis.js";
import { readDeployment } from "../chain/readDeployment.js";
import { createLocalContentStore } from "../storage/createLocalContentStore.js";
import type { ContentStore } from "../storage/types.js";
import { connectChain } from "./connectChain.js";
import type { ChainConnection, CliEnvironment, GlobalOptions } from "./types.js";

export interface CreateCliEnvironmentParameters {
  global: GlobalOptions;
  note(text: string): void;
}

/** Dependencies built on first use and reused within one command. */
export function createCliEnvironment({ global, note }: CreateCliEnvironmentParameters): CliEnvironment {
  let connection: Promise<ChainConnection> | undefined;
  let store: Promise<ContentStore> | undefined;
  const connect = () => (connection ??= connectChain(global));
  return {
    global,
    note,
    connect,
    async protocol() {
      const { chainId, publicClient, walletClient } = await connect();
      const [addresses, abis] = await Promise.all([
        readDeployment({ chainId, deploymentsDir: global.deploymentsDir }),
        loadProtocolAbis({ artifactsDir: global.artifactsDir }),
      ]);
      return { chainId, publicClient, walletClient, addresses, abis };
    },
    store: () => (store ??= createLocalContentStore({ dir: global.storeDir })),
  };
}
