import { createPublicClient, createWalletClient, defineChain, http, type PublicClient } from "viem";
import { scrubString } from "../log/createLogger.js";
import { CliError } from "./errors.js";
import { DEVELOPMENT_CHAIN_ID, resolveAccount } from "./resolveAccount.js";
import type { ChainConnection, GlobalOptions } from "./types.js";

/**
 * Clients for the chain at `--rpc`: asks its chain id first, so an unreachable node fails here
 * with one clear line instead of deep inside a transaction.
 */
export async function connectChain(global: GlobalOptions): Promise<ChainConnection> {
  const where = scrubString(global.rpcUrl);
  const probe = createPublicClient({ transport: http(global.rpcUrl, { retryCount: 0, timeout: 10_000 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (cause) {
    throw new CliError(`Cannot reach a JSON-RPC node at ${where}. Start one (\`npx hardhat node\`) or pass --rpc <url>.`, { cause });
  }
  const local = chainId === DEVELOPMENT_CHAIN_ID;
  const chain = defineChain({
    id: chainId,
    name: local ? "Hardhat" : `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [global.rpcUrl] } },
  });
  // A local node mines on every transaction: poll often so each command returns at once.
  const pollingInterval = local ? 100 : 2_000;
  const transport = http(global.rpcUrl);
  const account = resolveAccount(global.account, chainId);
  return {
    chainId,
    publicClient: createPublicClient({ chain, transport, pollingInterval }) as PublicClient,
    walletClient: createWalletClient({ chain, transport, account, pollingInterval }),
  };
}
