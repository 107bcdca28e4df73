import { readFile } from "node:fs/promises";
import { createPublicClient, createWalletClient, http, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Logger } from "pino";
import type { GatewayConfig } from "./config/gatewayConfigSchema.js";
import type { Ledger } from "./ledger/types.js";
import type { ServedIngot } from "./types.js";
import { createSettlementChain } from "./chain/createSettlementChain.js";
import { readServedIngots } from "./chain/readServedIngots.js";
import { startSettlementLoop } from "./settlement/startSettlementLoop.js";
import { sleep } from "../../coordinator/src/util/sleep.js";

export interface StartChainSyncParameters {
  chain: NonNullable<GatewayConfig["chain"]>;
  ledger: Ledger;
  /** The base model's 0G root: only Ingots on this base are served. */
  baseModelRoot: Hex;
  /** Ingots listed in the config, served besides the chain's. */
  configured: readonly ServedIngot[];
  /** Swaps the catalog's list (createStaticIngotCatalog().replace). */
  replaceCatalog: (ingots: readonly ServedIngot[]) => void;
  asset: Hex;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Connect the gateway to its chain and keep it in step: the catalog from the Ingot contract
 * (read once before returning, then every round), and the settlement loop (deposits and
 * withdrawal requests into the ledger, pending charges into the RevenueSplitter). Resolves once
 * the first catalog read is done; `done` resolves after `signal` aborts and the last round ends.
 */
export async function startChainSync(p: StartChainSyncParameters): Promise<{ done: Promise<void> }> {
  const key = (await readFile(p.chain.settlerKeyFile, "utf8")).trim() as Hex;
  const account = privateKeyToAccount(key);
  const transport = http(p.chain.rpcUrl);
  const publicClient = createPublicClient({ transport }) as PublicClient;
  const chainId = await publicClient.getChainId();
  const walletClient = createWalletClient({ account, transport, chain: { id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [p.chain.rpcUrl] } } } });
  const settlement = createSettlementChain({ publicClient, walletClient, deposits: p.chain.deposits, receiptTimeoutMs: p.chain.replaceAfterMs, ...(p.chain.maxFeePerGasWei !== undefined ? { feeCap: p.chain.maxFeePerGasWei } : {}) });

  const refreshCatalog = async () => {
    const live = await readServedIngots({ publicClient, ingot: p.chain.ingot });
    const onBase = live.filter((i) => i.baseModelRoot.toLowerCase() === p.baseModelRoot.toLowerCase());
    const ids = new Set(onBase.map((i) => i.ingotId));
    p.replaceCatalog([...onBase, ...p.configured.filter((i) => !ids.has(i.ingotId))]);
    return { live: live.length, served: onBase.length };
  };
  const first = await refreshCatalog();
  p.logger.info({ chainId, settler: account.address, deposits: p.chain.deposits, ...first }, "connected to the chain");

  const settling = startSettlementLoop({ ledger: p.ledger, chain: settlement, assets: [p.asset], maxCharges: p.chain.maxChargesPerBatch, replaceAfterMs: p.chain.replaceAfterMs, ...(p.chain.minBatchAmountWei !== undefined ? { hold: { minAmount: p.chain.minBatchAmountWei, maxDelayMs: p.chain.maxBatchDelayMs } } : {}), intervalMs: p.chain.intervalMs, startBlock: BigInt(p.chain.fromBlock), signal: p.signal, logger: p.logger });
  const refreshing = (async () => {
    while (!p.signal.aborted) {
      await sleep(p.chain.intervalMs, p.signal);
      if (p.signal.aborted) break;
      await refreshCatalog().catch((error: unknown) => p.logger.warn({ err: error }, "refreshing the LIVE Ingots failed; keeping the last list"));
    }
  })();
  return { done: Promise.all([settling, refreshing]).then(() => undefined) };
}
