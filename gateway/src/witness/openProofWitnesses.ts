import { readFile } from "node:fs/promises";
import { createPublicClient, createWalletClient, http, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/gatewayConfigSchema.js";
import type { ProofWitnesses } from "../server/types.js";
import { appendRoots } from "./anchor/appendRoots.js";
import { createProofAnchorer, type ProofAnchorer } from "./anchor/createProofAnchorer.js";
import { createProofBatcher, type ProofBatcher } from "./createProofBatcher.js";
import { createTsaAgent } from "./createTsaAgent.js";
import { openWitnessStore, type WitnessStore } from "./openWitnessStore.js";
import { requestTimeStamp } from "./requestTimeStamp.js";
import { createRekorPublisher, type RekorPublisher } from "./rekor/createRekorPublisher.js";
import { createRekorSigner } from "./rekor/createRekorSigner.js";
import { logRootInRekor } from "./rekor/logRootInRekor.js";
import type { ProofQueue } from "./types.js";

export interface OpenedProofWitnesses {
  /** What the server takes (`GatewayServerDeps.witnesses`). */
  witnesses: ProofWitnesses;
  batcher: ProofBatcher;
  store: WitnessStore;
  /** Present when `witness.anchor` is configured. */
  anchorer?: ProofAnchorer;
  /** Present when `witness.rekor` is configured. */
  rekor?: RekorPublisher;
  /** Close the pending batch (one last time-stamp try), wait for an anchor in flight, close the store. */
  close(): Promise<void>;
}

export interface OpenProofWitnessesParameters {
  config: NonNullable<GatewayConfig["witness"]>;
  /** For `witness.anchor`: the chain's RPC. */
  chain?: GatewayConfig["chain"];
  ledgerPath: string;
  logger: Logger;
  /** The ledger's durable witness queue (`GatewayLedger.witnessQueue`): proofs a dead process never batched are batched at start. */
  queue?: ProofQueue;
}

/**
 * Wire the `witness` config: the store (default next to the ledger), the batcher asking the
 * configured TSA, with `anchor` the anchorer appending roots to ProofLog with the appender key,
 * and with `rekor` the publisher logging each root in Rekor with the Rekor signer key.
 */
export async function openProofWitnesses({ config, chain, ledgerPath, logger, queue }: OpenProofWitnessesParameters): Promise<OpenedProofWitnesses> {
  const store = openWitnessStore({ path: config.storePath ?? (ledgerPath === ":memory:" ? ":memory:" : `${ledgerPath}.witness.sqlite`) });
  let anchorer: ProofAnchorer | undefined;
  if (config.anchor) {
    if (!chain) throw new Error("witness.anchor needs chain.rpcUrl: add `chain`, or leave out witness.anchor");
    const key = (await readFile(config.anchor.appenderKeyFile, "utf8")).trim() as Hex;
    const transport = http(chain.rpcUrl);
    const publicClient = createPublicClient({ transport });
    const chainId = await publicClient.getChainId();
    const walletClient = createWalletClient({ account: privateKeyToAccount(key), transport, chain: { id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [chain.rpcUrl] } } } });
    const proofLog = config.anchor.proofLog as Address;
    anchorer = createProofAnchorer({
      store,
      append: (roots) => appendRoots({ publicClient, walletClient, proofLog, roots }),
      everyBatches: config.anchor.everyBatches,
      maxDelayMs: config.anchor.maxDelayMs,
      logger,
    });
  }
  let rekor: RekorPublisher | undefined;
  if (config.rekor) {
    const { url, timeoutMs, retryMs } = config.rekor;
    const signer = createRekorSigner(await readFile(config.rekor.signerKeyFile, "utf8"));
    rekor = createRekorPublisher({ store, log: (rootHex) => logRootInRekor({ rekorUrl: url, signer, rootHex, timeoutMs }), retryMs, logger });
    logger.info({ rekor: url, signerKey: signer.keyHint }, "batch roots are logged in Rekor too");
  }
  const agent = createTsaAgent(config.tsaUrl);
  const batcher = createProofBatcher({
    store,
    tsaUrl: config.tsaUrl,
    timeStamp: (digest) => requestTimeStamp({ tsaUrl: config.tsaUrl, digest, timeoutMs: config.tsaTimeoutMs, agent }),
    intervalMs: config.intervalMs,
    maxProofs: config.maxProofs,
    minProofs: config.minProofs,
    maxDelayMs: config.maxDelayMs,
    logger,
    ...(queue ? { queue } : {}),
    ...(anchorer || rekor
      ? {
          onBatch: () => {
            anchorer?.batchClosed();
            rekor?.batchClosed();
          },
        }
      : {}),
  });
  return {
    witnesses: { add: batcher.add, witnessOf: (id) => store.witnessOf(id) },
    batcher,
    store,
    ...(anchorer ? { anchorer } : {}),
    ...(rekor ? { rekor } : {}),
    async close() {
      await batcher.close();
      await rekor?.close();
      // Roots not yet anchored stay in the store: the next start anchors them within maxDelayMs.
      await anchorer?.close();
      agent.destroy();
      store.close();
    },
  };
}
