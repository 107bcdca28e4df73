import { mkdir, readFile } from "node:fs/promises";
import type { Abi, Hex } from "viem";
import path from "node:path";
import pino, { type Logger } from "pino";
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, parseEther, type Account, type Address, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { loadProtocolAbis } from "../../coordinator/src/chain/loadProtocolAbis.js";
import type { ProtocolContext } from "../../coordinator/src/chain/types.js";
import { createLocalContentStore } from "../../coordinator/src/storage/createLocalContentStore.js";
import { createSimulatedEnclave } from "../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { ensureEnclaveRegistered } from "../../coordinator/src/pipeline/ensureEnclaveRegistered.js";
import { ensureDemoBaseModel } from "../../coordinator/src/eval/demo/ensureDemoBaseModel.js";
import { DEMO_MODEL_SPEC, type DemoModelSpec } from "../../coordinator/src/eval/demo/demoModelSpec.js";
import { DEMO_LORA_HYPER } from "../../coordinator/src/eval/demo/demoLoraHyper.js";
import { startHardhatNode } from "../lib/startHardhatNode.js";
import { deployDevProtocol } from "../lib/deployDevProtocol.js";
import { serveContentStore } from "./serveContentStore.js";
import { serveAppFiles, type AppRoute } from "./serveAppFiles.js";
import { deployAppGateway } from "./deployAppGateway.js";
import { startAppGateway, type AppGateway } from "./startAppGateway.js";
import { coordinatorConfigSchema } from "../../coordinator/src/config/coordinatorConfigSchema.js";
import { createCoordinatorService, type ServiceEvent } from "../../coordinator/src/service/createCoordinatorService.js";
import { seedLiveIngot, seedOpenForge, type SeedLiveIngotParameters } from "./seedForges.js";
import { createServiceWorkers } from "../../coordinator/src/service/createServiceWorkers.js";
import { loadOrCreateComputeKey } from "../../coordinator/src/cli/loadOrCreateComputeKey.js";
import { registerCompute } from "../../coordinator/src/chain/registerCompute.js";
import { withAccount } from "../../coordinator/src/chain/withAccount.js";
import { summarizeCoordinatorEvent } from "./summarizeCoordinatorEvent.js";
import { createQueueWorkerClient } from "../../coordinator/src/compute/fileQueue/createQueueWorkerClient.js";
import { startAppWorker, type AppWorker, type WorkerLogEntry } from "./startAppWorker.js";

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
  /** Start the inference gateway for the LIVE Ingot, behind the page at /gateway (default true; needs `live`). */
  gateway?: boolean;
  /**
   * Run the coordinator service in this process (the coordinator trains every job itself), so an
   * OPEN Forge is evaluated once its window closes (default true). Its eval uses `liveSeed`'s
   * seeds, method and LoRA settings.
   */
  coordinator?: boolean;
  /**
   * Train with compute workers as their own processes (`npm run worker`, over the coordinator's
   * file queue), one key registered by test account #4: one process for the LIVE seed's Forge
   * (stopped once it is minted), one for the OPEN ETH Forge; the coordinator gives every
   * registered key's jobs to the file queue (default true; needs `coordinator`; false: the LIVE
   * seed trains in this process).
   */
  worker?: boolean;
  /** How long the coordinator waits for a registered worker's result before the next worker (or itself) trains the job (default 60 s). */
  workerTimeoutMs?: number;
  /** Every log line the worker processes write, parsed. */
  onWorkerLog?: (entry: WorkerLogEntry) => void;
  /** Where the worker processes' raw log is appended. */
  workerLogFile?: string;
  /** The stack's structured log (the coordinator service, the gateway, the enclave); default: warnings to stderr. */
  logger?: Logger;
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
  /** The gateway serving the LIVE Ingot (proxied at `<url>/gateway`), with its contracts. */
  gateway?: { url: string; publicKeyHex: string; deposits: Address; proofKeyRegistry: Address };
  /** What the in-process coordinator service reported, in order (absent when it was not started). */
  coordinatorEvents?: ServiceEvent[];
  /** Where a worker process finds its jobs, stores its adapters and reads the base model (for `npm run worker -- --queue … --store … --base …`). */
  compute: { queueDir: string; storeDir: string; baseModelPath: string };
  /** Every log line of every worker process the stack started (the LIVE seed's and the OPEN Forge's), in order; each names its `forge`. */
  workerLogs: WorkerLogEntry[];
  /** The worker process serving the OPEN ETH Forge, and the account that registered its key. */
  worker?: AppWorker & { forge: Address; account: Address; publicKey: Hex; keyFile: string };
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
    const node = await startHardhatNode(p.root);
    stops.push(node.stop);
    const chain = defineChain({ id: 31337, name: "Hardhat (local)", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
    const publicClient = createPublicClient({ chain, transport: http(node.url) }) as PublicClient;
    const wallets = Array.from({ length: 10 }, (_, i) => createWalletClient({ account: mnemonicToAccount(MNEMONIC, { addressIndex: i }), chain, transport: http(node.url) }));
    const testClient = createTestClient({ chain, mode: "hardhat", transport: http(node.url) });

    print(`Deploying the protocol to ${node.url}…`);
    const { addresses, block } = await deployDevProtocol(p.root, publicClient, wallets[0]);
    const ctx: ProtocolContext = { publicClient, walletClient: wallets[0], addresses, abis: await loadProtocolAbis({ artifactsDir: path.join(p.root, "artifacts") }) };

    await mkdir(p.workDir, { recursive: true });
    const storeDir = path.join(p.workDir, "store");
    const queueDir = path.join(p.workDir, "queue");
    const store = await createLocalContentStore({ dir: storeDir });
    const storeServer = await serveContentStore(store);
    stops.push(storeServer.close);
    const logger = p.logger ?? pino({ level: "warn" }, pino.destination(2));
    const enclave = await createSimulatedEnclave({ chainId: 31337, logger });
    await ensureEnclaveRegistered(ctx, enclave);

    print("Preparing the base model (cached after the first run)…");
    const baseModel = await ensureDemoBaseModel({ cacheDir: p.cacheDir ?? path.join(p.root, ".ingotforge/cache"), corpusPath: path.join(p.root, "data/demo/pretrain-corpus.txt"), spec: APP_MODEL_SPEC });
    const { root: baseRoot } = await store.put(new Uint8Array(await readFile(baseModel.path)));
    const seed = { ctx, wallets, store, enclave, base: { path: baseModel.path, root: baseRoot, name: "ingotforge-demo-qwen2 (stands in for Qwen2.5-Coder-3B-Instruct)" }, dataDir: path.join(p.root, "data/demo"), logger, print };

    // A GPU provider's worker, as a person runs one: the CLI's key file, registered with both
    // proofs of possession by test account #4, and `npm run worker` as its own process per Forge.
    const useWorkerProcess = (p.coordinator ?? true) && (p.worker ?? true);
    const provider = wallets[4];
    const keyFile = path.join(p.workDir, "keys", `${provider.account.address.toLowerCase()}.ed25519.json`);
    const key = useWorkerProcess ? await loadOrCreateComputeKey(keyFile) : undefined;
    const workerLogs: WorkerLogEntry[] = [];
    const startWorker = async (forge: Address) => {
      const onLog = (entry: WorkerLogEntry) => {
        workerLogs.push(entry);
        p.onWorkerLog?.(entry);
      };
      const started = await startAppWorker({ root: p.root, forge, keyFile, queueDir, storeDir, baseModelPath: baseModel.path, onLog, ...(p.workerLogFile ? { logFile: p.workerLogFile } : {}) });
      stops.push(started.stop);
      return started;
    };

    let live: AppStack["live"];
    if (p.live ?? true) {
      print(`Seeding a LIVE Ingot through the coordinator pipeline${key ? ", its jobs trained by a worker process" : ""}…`);
      live = await seedLiveIngot(seed, {
        ...(p.liveSeed ?? APP_LIVE_SEED),
        workDir: p.workDir,
        ...(key
          ? {
              worker: {
                privateKey: key.privateKey,
                start: async (forge, computeId) => {
                  const started = await startWorker(forge);
                  return { worker: createQueueWorkerClient({ queueDir, computeId, publicKey: key.publicKey, timeoutMs: 10 * 60_000, logger }), stop: started.stop };
                },
              },
            }
          : {}),
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

    let coordinatorProgress: ServiceEvent[] | undefined;
    let gateway: AppGateway | undefined;
    let gatewayContracts: { deposits: Address; proofKeyRegistry: Address } | undefined;
    const routes: AppRoute[] = [];
    if (live && (p.gateway ?? true)) {
      print("Starting the inference gateway for the LIVE Ingot…");
      // A settler of its own, so its transactions never race the test accounts' nonces.
      const settlerKey = generatePrivateKey();
      const settler = privateKeyToAccount(settlerKey).address;
      await publicClient.waitForTransactionReceipt({ hash: await wallets[0].sendTransaction({ to: settler, value: parseEther("10") }) });
      gatewayContracts = await deployAppGateway({ root: p.root, publicClient, wallet: wallets[0], splitter: addresses.splitter, verifier: addresses.verifier, settler });
      gateway = await startAppGateway({ rpcUrl: node.url, publicClient, admin: wallets[0] as never, ingot: addresses.ingot, ...gatewayContracts, settlerKey, baseModelPath: baseModel.path, baseModelRoot: baseRoot, store, workDir: p.workDir, logger });
      stops.push(gateway.close);
      routes.push(gateway.handle);
    }

    let worker: AppStack["worker"];
    if (key) {
      await registerCompute(withAccount(ctx, provider), { forge: openForge, signer: provider.account.address, ed25519PrivateKey: key.privateKey, capacity: 1 });
      print(`Starting a compute worker process for the OPEN Forge (key registered by test account #4)…`);
      const started = await startWorker(openForge);
      let stopping = false;
      stops.push(async () => {
        stopping = true;
      });
      void started.exited.then((e) => {
        if (!stopping) print(`worker: the process exited (${e.code ?? e.signal}); the coordinator passes over its key after ${(p.workerTimeoutMs ?? 60_000) / 1000} s and gives its jobs to the next worker (or trains them itself). Its log: ${p.workerLogFile ?? "run with --verbose"}`);
      });
      worker = { ...started, forge: openForge, account: provider.account.address, publicKey: key.publicKey, keyFile };
    }

    if (p.coordinator ?? true) {
      print("Starting the coordinator service (it evaluates a Forge once its window closes)…");
      const seedSettings = p.liveSeed ?? APP_LIVE_SEED;
      // Its own account (#9, the service's default on 31337), so its transactions never race the page's.
      const coordinatorCtx: ProtocolContext = { ...ctx, walletClient: wallets[9] };
      const progress: ServiceEvent[] = [];
      const service = createCoordinatorService({
        config: coordinatorConfigSchema.parse({ rpcUrl: node.url, chainId: 31337, dataDir: path.join(p.workDir, "coordinator"), confirmations: 0, logLevel: "warn" }),
        logger,
        ctx: coordinatorCtx,
        enclave,
        store,
        // Every registered key's jobs go through the file queue to its worker process; one that
        // does not answer within workerTimeoutMs is passed over (the coordinator trains last).
        workersFor: createServiceWorkers({ embeddedKeys: [], queueDir, timeoutMs: p.workerTimeoutMs ?? 60_000, store, logger }),
        eval: { hyper: seedSettings.hyper, trainingSeeds: seedSettings.trainingSeeds, method: seedSettings.method, verification: { policy: "full" } },
        pollIntervalMs: 1000,
        threads: 1,
        startBlock: block,
        onEvent: (e) => {
          progress.push(e);
          const line = summarizeCoordinatorEvent(e);
          if (line) print(line);
        },
      });
      const abort = new AbortController();
      const running = service.run(abort.signal).catch((error: unknown) => print(`coordinator stopped: ${(error as Error).message}`));
      stops.push(async () => {
        abort.abort();
        await running;
      });
      coordinatorProgress = progress;
      routes.push(async (req, res, u) => {
        if (u.pathname !== "/coordinator/status") return false;
        const forge = (u.searchParams.get("forge") ?? "").toLowerCase();
        const events = progress.filter((e) => e.forge.toLowerCase() === forge).map((e) => JSON.parse(JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? v.toString() : v))) as unknown);
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify({ events }));
        return true;
      });
    }

    const config = (own: string) => ({
      chainId: 31337,
      chainName: "Hardhat (local)",
      rpcUrl: node.url,
      explorerUrl: null,
      fromBlock: block.toString(),
      addresses: { factory: addresses.factory, ingot: addresses.ingot, splitter: addresses.splitter, enclaveRegistry: addresses.enclaveRegistry, ...(gatewayContracts ? { gatewayDeposits: gatewayContracts.deposits, proofKeyRegistry: gatewayContracts.proofKeyRegistry } : {}) },
      storeUrl: storeServer.url,
      gatewayUrl: gateway ? `${own}/gateway` : null,
      gatewayKeyUrl: gateway ? `${own}/gateway/keys` : null,
      coordinatorStatusUrl: coordinatorProgress ? `${own}/coordinator/status` : null,
      devAccounts: true,
    });
    const app = await serveAppFiles(path.join(p.root, "app/dist"), config, p.appPort ?? 0, "127.0.0.1", routes);
    stops.push(app.close);
    return { ...(coordinatorProgress ? { coordinatorEvents: coordinatorProgress } : {}), compute: { queueDir, storeDir, baseModelPath: baseModel.path }, workerLogs, ...(worker ? { worker } : {}), url: app.url, rpcUrl: node.url, storeUrl: storeServer.url, addresses, openForge, tokenForge, token, ...(live ? { live } : {}), ...(gateway && gatewayContracts ? { gateway: { url: gateway.url, publicKeyHex: gateway.publicKeyHex, ...gatewayContracts } } : {}), ctx, wallets, stop };
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
