import { createConfig, http, injected } from "wagmi";
import { defineChain, type Chain } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { RuntimeConfig } from "../config/runtimeConfig.js";
import { createLocalDevProvider, DEV_ACCOUNT_COUNT, DEV_MNEMONIC } from "./createLocalDevProvider.js";

/** The app's chain, from the runtime config. */
export function chainFromConfig(config: RuntimeConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
    ...(config.explorerUrl ? { blockExplorers: { default: { name: "Explorer", url: config.explorerUrl } } } : {}),
  });
}

/** Connector ids of the local test accounts start with this. */
export const DEV_CONNECTOR_PREFIX = "dev-account-";

/**
 * wagmi for one chain: wallets announced through EIP-6963 (discovered by wagmi), the legacy
 * `window.ethereum` wallet, and on chain 31337 with `devAccounts` the node's test accounts, each
 * its own connector labelled "Test account #n".
 */
export function createAppWagmiConfig(config: RuntimeConfig) {
  const chain = chainFromConfig(config);
  const dev = config.devAccounts && chain.id === 31337
    ? Array.from({ length: DEV_ACCOUNT_COUNT }, (_, index) => {
        const address = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).address;
        return injected({
          shimDisconnect: false,
          target: { id: `${DEV_CONNECTOR_PREFIX}${index}`, name: `Test account #${index} (${address.slice(0, 6)}…${address.slice(-4)})`, provider: createLocalDevProvider({ chain, rpcUrl: config.rpcUrl, index }) as never },
        });
      })
    : [];
  return createConfig({
    chains: [chain],
    transports: { [chain.id]: http(config.rpcUrl) },
    connectors: [injected(), ...dev],
    multiInjectedProviderDiscovery: true,
    ssr: false,
  });
}
