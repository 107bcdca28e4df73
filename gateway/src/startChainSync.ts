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
import { syncChainEvents } from "./settlement/syncChainEvents.js";
import { sleep } from "../../coordinator/src/util/sleep.js";
import { readProofKeyRegistration } from "./attestation/readProofKeyRegistration.js";
import { registerProofKey } from "./attestation/registerProofKey.js";
import type { ProofKeyAttestation } from "./attestation/types.js";

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
  /** The proof key's attestation: registered in `chain.proofKeyRegistry` at start when that is set. */
  attestation?: ProofKeyAttestation;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Connect the gateway to its chain and keep it in step: the catalog from the Ingot contract
 * (read once before returning, then every round), and the settlement loop (deposits and
 * withdrawal requests into the ledger, pending charges into the RevenueSplitter). Resolves once
 * the first catalog read and the first read of deposits are done; `done` resolves after `signal`
 * aborts and the last round ends.
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
  if (p.chain.proofKeyRegistry) await ensureProofKeyRegistered({ registry: p.chain.proofKeyRegistry, attestation: p.attestation, publicClient, walletClient, logger: p.logger });
  // Deposits and withdrawals so far are read before this returns (and so before the gateway
  // listens): a payer who deposited before the start is not refused with 402 by the first call,
  // which could otherwise beat the settlement loop's first round. A failure here is left to it.
  try {
    const sync = await syncChainEvents({ ledger: p.ledger, chain: settlement, startBlock: BigInt(p.chain.fromBlock) });
    if (sync.deposits || sync.withdrawals || sync.debitsElsewhere) p.logger.info({ ...sync, fromBlock: String(sync.fromBlock), toBlock: String(sync.toBlock) }, "chain events recorded");
  } catch (error) {
    p.logger.warn({ err: error }, "reading the deposits before serving failed; the settlement rounds retry");
  }

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

/**
 * At start, when a ProofKeyRegistry is configured: register the enclave's proof key from its
 * quote unless the registry already holds it as valid for this build (the settler pays the gas).
 * A refusal is logged as an error and the gateway serves on: its proofs verify as before, only
 * not against the registry.
 */
async function ensureProofKeyRegistered(p: {
  registry: Hex;
  attestation: ProofKeyAttestation | undefined;
  publicClient: PublicClient;
  walletClient: Parameters<typeof registerProofKey>[0]["walletClient"];
  logger: Logger;
}): Promise<void> {
  const a = p.attestation;
  if (!a || a.kind === "none") {
    p.logger.warn({ registry: p.registry }, "chain.proofKeyRegistry is set, but the proof key comes from the config: there is no quote to register it with");
    return;
  }
  try {
    const current = await readProofKeyRegistration({ publicClient: p.publicClient, registry: p.registry, publicKey: a.public_key });
    if (current.valid && current.measurement.toLowerCase() === a.measurement?.toLowerCase()) {
      p.logger.info({ registry: p.registry, publicKey: a.public_key, measurement: current.measurement }, "proof key already registered");
      return;
    }
    const { txHash, measurement } = await registerProofKey({ publicClient: p.publicClient, walletClient: p.walletClient, registry: p.registry, attestation: a });
    p.logger.info({ registry: p.registry, publicKey: a.public_key, measurement, txHash }, "proof key registered from the enclave's quote");
  } catch (error) {
    p.logger.error({ err: error, registry: p.registry, publicKey: a.public_key }, "the proof key could not be registered; serving on, but verifiers that check the registry will refuse its proofs");
  }
}
