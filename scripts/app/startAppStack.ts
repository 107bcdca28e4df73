import { mkdir, readFile } from "node:fs/promises";
import type { Abi, Hex } from "viem";
import path from "node:path";
import pino from "pino";
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { loadProtocolAbis } from "../../coordinator/src/chain/loadProtocolAbis.js";
import type { ProtocolContext } from "../../coordinator/src/chain/types.js";
import { createLocalContentStore } from "../../coordinator/src/storage/createLocalContentStore.js";
import { createSimulatedEnclave } from "../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { ensureEnclaveRegistered } from "../../coordinator/src/pipeline/ensureEnclaveRegistered.js";
import { ensureDemoBaseModel } from "../../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { DEMO_MODEL_SPEC, type DemoModelSpec } from "../../coordinator/src/eval/demo/demoModelSpec.js";
import { DEMO_LORA_HYPER } from "../../coordinator/src/eval/demo/demoLoraHyper.js";
import { startLocalNode } from "./startLocalNode.js";
import { deployAppProtocol } from "./deployAppProtocol.js";
import { serveContentStore } from "./serveContentStore.js";
import { serveAppFiles } from "./serveAppFiles.js";
import { seedLiveIngot, seedOpenForge, type SeedLiveIngotParameters } from "./seedForges.js";

const MNEMONIC = "test test test test test test test test test test test junk";

/**
 * The stack's base model: the demo's own (a qwen2 model pre-trained here on a generic corpus,
 * frozen as Q4_0; prebuilt in .ingotforge/cache by the set-up script), standing in for
 * Qwen2.5-Coder-3B-Instruct. Its perplexities say nothing about a real model.
 */
export const APP_MODEL_SPEC: DemoModelSpec = DEMO_MODEL_SPEC;
/** The demo's LoRA settings with fewer steps, so the seeded eval takes minutes, not tens of them. */
export const APP_LORA_HYPER = { ...DEMO_LORA_HYPER, steps: 6, warmupSteps: 1 };

/** How the seeded LIVE Ingot is evaluated: `npm run app` (thorough) or a test (fast). */
export type LiveSeedSettings = Pick<SeedLiveIngotParameters, "holdoutExamples" | "trainingSeeds" | "method" | "hyper">;
/** Exact Shapley over the 3 contributions, 2 training seeds, 12 holdout examples. */
export const APP_LIVE_SEED: LiveSeedSettings = { holdoutExamples: 12, trainingSeeds: [1, 2], method: { kind: "exact-shapley" }, hyper: APP_LORA_HYPER };
/** Leave-one-out, 1 seed, 4 holdout examples, 3 LoRA steps: the e2e test's budget. */
export const FAST_LIVE_SEED: LiveSeedSettings = { holdoutExamples: 4, trainingSeeds: [1], method: { kind: "leave-one-out" }, hyper: { ...APP_LORA_HYPER, steps: 3 } };

export interface StartAppStackParameters {
  /** The repository root (artifacts/, app/dist, data/demo). */
  root: string;
  /** Where this run keeps its content store and eval files. */
  workDir: string;
  /** Where the base model is cached between runs (default: .ingotforge/cache, the demo's). */
  cacheDir?: string;
  /** Seed a LIVE Ingot through the coordinator pipeline (default true). */
  live?: boolean;
  /** How that Ingot is evaluated (default APP_LIVE_SEED). */
  liveSeed?: LiveSeedSettings;
  /** Port for the page (default: a free one). */
  appPort?: number;
  print?: (line: string) => void;
  /** Receives `stop` before anything starts, so Ctrl-C during a long start still stops what started. */
  onStop?: (stop: () => Promise<void>) => void;
}

export interface AppStack {
  url: string;
  rpcUrl: string;
  storeUrl: string;
  addresses: { factory: Address; ingot: Address; splitter: Address; enclaveRegistry: Address; verifier: Address };
  openForge: Address;
  /** An OPEN Forge whose capital asset is `token` (a test ERC-20, 6 decimals, 1,000 minted to accounts #1-#3). */
  tokenForge: Address;
  token: Address;
  live?: { forge: Address; ingotId: bigint };
  ctx: ProtocolContext;
  wallets: WalletClient<Transport, Chain, Account>[];
  stop(): Promise<void>;
}

/**
 * The whole local stack behind the page: a Hardhat node on a free port with the development
 * protocol deployed, a simulated enclave registered, the content store over HTTP, a LIVE Ingot
 * (optional) and one OPEN Forge seeded, and the built page served with its config.json. `stop`
 * closes everything it started, in reverse order, even after a failed start.
 */
export async function startAppStack(p: StartAppStackParameters): Promise<AppStack> {
  const print = p.print ?? (() => undefined);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse().splice(0)) await s().catch(() => undefined);
  };
  p.onStop?.(stop);
  try {
    print("Starting a Hardhat node…");
    const node = await startLocalNode(p.root);
    stops.push(node.stop);
    const chain = defineChain({ id: 31337, name: "Hardhat (local)", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
    const publicClient = createPublicClient({ chain, transport: http(node.url) }) as PublicClient;
    const wallets = Array.from({ length: 10 }, (_, i) => createWalletClient({ account: mnemonicToAccount(MNEMONIC, { addressIndex: i }), chain, transport: http(node.url) }));
    const testClient = createTestClient({ chain, mode: "hardhat", transport: http(node.url) });

    print(`Deploying the protocol to ${node.url}…`);
    const deployed = await deployAppProtocol(p.root, publicClient, wallets[0]);
    const { block, ...addresses } = deployed;
    const ctx: ProtocolContext = { publicClient, walletClient: wallets[0], addresses, abis: await loadProtocolAbis({ artifactsDir: path.join(p.root, "artifacts") }) };

    await mkdir(p.workDir, { recursive: true });
    const store = await createLocalContentStore({ dir: path.join(p.workDir, "store") });
    const storeServer = await serveContentStore(store);
    stops.push(storeServer.close);
    const logger = pino({ level: "warn" }, pino.destination(2));
    const enclave = await createSimulatedEnclave({ chainId: 31337, logger });
    await ensureEnclaveRegistered(ctx, enclave);

    print("Preparing the base model (cached after the first run)…");
    const baseModel = await ensureDemoBaseModel({ cacheDir: p.cacheDir ?? path.join(p.root, ".ingotforge/cache"), corpusPath: path.join(p.root, "data/demo/pretrain-corpus.txt"), spec: APP_MODEL_SPEC });
    const { root: baseRoot } = await store.put(new Uint8Array(await readFile(baseModel.path)));
    const seed = { ctx, wallets, store, enclave, base: { path: baseModel.path, root: baseRoot, name: "ingotforge-demo-qwen2 (stands in for Qwen2.5-Coder-3B-Instruct)" }, dataDir: path.join(p.root, "data/demo"), logger, print };

    let live: AppStack["live"];
    if (p.live ?? true) {
      print("Seeding a LIVE Ingot through the coordinator pipeline…");
      live = await seedLiveIngot(seed, {
        ...(p.liveSeed ?? APP_LIVE_SEED),
        workDir: p.workDir,
        increaseTime: async (to) => {
          await testClient.setNextBlockTimestamp({ timestamp: to });
          await testClient.mine({ blocks: 1 });
        },
      });
    }
    print("Seeding an OPEN Forge, and one raising capital in a test ERC-20…");
    const openForge = await seedOpenForge(seed);
    const token = await deployTestToken(p.root, publicClient, wallets);
    const tokenForge = await seedOpenForge(seed, { capitalAsset: token, title: "Rust Unsafe-Code Auditor (tUSD capital)" });

    const config = {
      chainId: 31337,
      chainName: "Hardhat (local)",
      rpcUrl: node.url,
      explorerUrl: null,
      fromBlock: block.toString(),
      addresses: { factory: addresses.factory, ingot: addresses.ingot, splitter: addresses.splitter, enclaveRegistry: addresses.enclaveRegistry },
      storeUrl: storeServer.url,
      gatewayUrl: null,
      devAccounts: true,
    };
    const app = await serveAppFiles(path.join(p.root, "app/dist"), config, p.appPort ?? 0);
    stops.push(app.close);
    return { url: app.url, rpcUrl: node.url, storeUrl: storeServer.url, addresses, openForge, tokenForge, token, ...(live ? { live } : {}), ctx, wallets, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** MockERC20 "Test USD" (tUSD, 6 decimals), with 1,000 tUSD minted to test accounts #1-#3. */
async function deployTestToken(root: string, publicClient: PublicClient, wallets: WalletClient<Transport, Chain, Account>[]): Promise<Address> {
  const { abi, bytecode } = JSON.parse(await readFile(path.join(root, "artifacts/contracts/mocks/tokens/MockERC20.sol/MockERC20.json"), "utf8")) as { abi: Abi; bytecode: Hex };
  const deployed = await publicClient.waitForTransactionReceipt({ hash: await wallets[0].deployContract({ abi, bytecode, args: ["Test USD", "tUSD", 6] }) });
  const token = deployed.contractAddress!;
  for (const i of [1, 2, 3]) {
    await publicClient.waitForTransactionReceipt({ hash: await wallets[0].writeContract({ address: token, abi, functionName: "mint", args: [wallets[i].account.address, 1_000_000_000n] }) });
  }
  return token;
}
