/**
 * The coordinator's entry point (`npm run coordinator -- <command>`):
 *   run           watch the factory and evaluate every Forge whose window closes (the service)
 *   seal-holdout  the creator's step: seal a holdout JSONL to the registered enclave, print its root
 *   replay        recompute an eval from its attribution record and report whether it matches exactly
 * Config: `--config <file>` and INGOTFORGE_* variables (coordinator/src/config/README.md).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  concatBytes,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  hexToBytes,
  http,
  isHex,
  keccak256,
  toBytes,
  webSocket,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import type { Logger } from "pino";
import { loadConfig } from "../config/loadConfig.js";
import { natsConfigSchema, type CoordinatorConfig, type NatsConfig } from "../config/coordinatorConfigSchema.js";
import { createLogger, scrubString } from "../log/createLogger.js";
import { loadProtocolAbis } from "../chain/loadProtocolAbis.js";
import { readDeployment } from "../chain/readDeployment.js";
import type { ProtocolAddresses, ProtocolContext } from "../chain/types.js";
import { createEnclave } from "../enclave/createEnclave.js";
import { HPKE_KEY_PATH } from "../enclave/deriveEnclaveKeys.js";
import { SIMULATED_DEFAULT_SEED } from "../enclave/simulated/simulatedMeasurement.js";
import { createContentStore } from "../storage/createContentStore.js";
import { storeSealedHoldout } from "../sealing/storeSealedHoldout.js";
import { openHoldout } from "../sealing/openHoldout.js";
import { openContribution } from "../sealing/openContribution.js";
import type { OpenContribution } from "../pipeline/checkContribution.js";
import { generateHpkeKeyPair } from "../sealing/generateHpkeKeyPair.js";
import { DEFAULT_HOLDOUT_INFO } from "../sealing/holdoutSuite.js";
import { parseDatasetJsonlStrict } from "../eval/dataset/parseDatasetJsonlStrict.js";
import { connectNatsCoordinator } from "../compute/nats/connectNatsCoordinator.js";
import type { NatsConnection } from "@nats-io/nats-core";
import { readEd25519KeyFile } from "../compute/readEd25519KeyFile.js";
import { replayAttribution } from "../replay/replayAttribution.js";
import { createCoordinatorService, type ServiceEvalSettings } from "./createCoordinatorService.js";
import { createServiceWorkers } from "./createServiceWorkers.js";
import { ServiceError } from "./errors.js";
import { parseEvalSettings } from "./parseEvalSettings.js";
import { resolveThreads } from "../util/resolveThreads.js";
import { DEFAULT_DATA_DIR } from "../util/defaultStoreDir.js";

/** What every command talks to when nothing names a node: a `npx hardhat node` on this machine. */
const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";
/** The coordinator's default account on a local Hardhat chain: the last of the 10 funded ones. */
const LOCAL_COORDINATOR_ACCOUNT_INDEX = 9;

const USAGE = `usage: coordinator <command> [options]
  run           [--config f] [--addresses f] [--eval f] [--worker-key f]... [--queue-dir d] [--worker-timeout-ms n] [--threads n]
                [--nats nats://host:4222 --nats-token-file f [--nats-ca ca.pem] [--nats-user coordinator]]
  seal-holdout  --file holdout.jsonl [--config f] [--addresses f] [--enclave 0xSigner] [--info s]
  replay        --log 0xRoot [--holdout-key f] [--reuse-adapters] [--config f] [--work-dir d] [--threads n]
Without a config: the node at INGOTFORGE_RPC_URL (else http://127.0.0.1:8545) and its chain id (on chain 31337, 0 confirmations unless INGOTFORGE_CONFIRMATIONS says); state, the content store (.ingotforge/store) and the file queue under INGOTFORGE_DATA_DIR (else .ingotforge), shared with the CLI and the worker.
llama.cpp threads: --threads, else INGOTFORGE_THREADS, else all CPUs but one (at most 4). --verbose logs debug lines too (llama.cpp's expected warnings).
Registered workers get their jobs over NATS JetStream when --nats (or the config's "nats" section) is set, else through the file queue.
The sending key comes from INGOTFORGE_COORDINATOR_PRIVATE_KEY (on chain 31337 it defaults to Hardhat's account #9).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: "string" },
      addresses: { type: "string" },
      eval: { type: "string" },
      "worker-key": { type: "string", multiple: true },
      "queue-dir": { type: "string" },
      "worker-timeout-ms": { type: "string" },
      file: { type: "string" },
      enclave: { type: "string" },
      info: { type: "string" },
      log: { type: "string" },
      "holdout-key": { type: "string" },
      "reuse-adapters": { type: "boolean" },
      "work-dir": { type: "string" },
      threads: { type: "string" },
      nats: { type: "string" },
      "nats-user": { type: "string" },
      "nats-token-file": { type: "string" },
      "nats-ca": { type: "string" },
      verbose: { type: "boolean" },
    },
  });
  if (command !== "run" && command !== "seal-holdout" && command !== "replay") {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === "help" || command === "--help" ? 0 : 64;
  }
  // With no config at all, it runs against the local node (or INGOTFORGE_RPC_URL) with its state,
  // content store (.ingotforge/store) and file queue under .ingotforge, as the CLI and the worker do.
  const config = await loadConfig({ ...(values.config ? { file: values.config } : {}), env: process.env, defaults: { rpcUrl: DEFAULT_RPC_URL, dataDir: DEFAULT_DATA_DIR, devChainConfirmations: 0 }, chainIdOf: readChainId });
  // --verbose: debug lines too, llama.cpp's expected warnings (LoRA "fallback to CPU") among them.
  // A terminal gets lines for a person; a file or a pipe, JSON lines (INGOTFORGE_LOG_FORMAT=json|pretty decides).
  const pretty = process.env.INGOTFORGE_LOG_FORMAT ? process.env.INGOTFORGE_LOG_FORMAT === "pretty" : process.stdout.isTTY === true;
  const logger = createLogger({ level: values.verbose && ["info", "warn", "error", "fatal", "silent"].includes(config.logLevel) ? "debug" : config.logLevel, name: "coordinator", pretty });
  const threads = resolveThreads({ flag: values.threads, env: process.env });
  const store = await createContentStore({ config: config.storage });

  if (command === "replay") {
    if (!values.log || !isHex(values.log)) throw new ServiceError("replay needs --log <0x attribution record root>.");
    const opener = await holdoutOpener(config, logger, values["holdout-key"]);
    logger.info({ threads: threads.threads, source: threads.source }, threads.summary);
    const result = await replayAttribution({
      store,
      attributionLogRoot: values.log,
      openHoldout: opener.openHoldout,
      openContribution: opener.openContribution,
      workDir: values["work-dir"] ?? path.join(config.dataDir, "replay", values.log.toLowerCase()),
      reuseAdapters: values["reuse-adapters"] ?? false,
      onProgress: (done, total) => logger.info({ done, total }, "replay: coalitions"),
      threads: threads.threads,
    });
    const line = (s: string) => process.stdout.write(`${s}\n`);
    line(`Replay of ${values.log} (Forge ${result.forge}): ${result.matches ? "MATCHES exactly" : "DOES NOT MATCH"}`);
    line(`  ${"data id".padEnd(8)} ${"status (recorded/replayed)".padEnd(28)} ${"value recorded".padEnd(24)} ${"value replayed".padEnd(24)} ${"score recorded".padEnd(22)} ${"score replayed".padEnd(22)} match`);
    for (const c of result.contributions) {
      line(
        `  ${String(c.dataId).padEnd(8)} ${`${c.recorded.status}/${c.replayed.status}`.padEnd(28)} ${String(c.recorded.value).padEnd(24)} ${String(c.replayed.value).padEnd(24)} ${c.recorded.score.padEnd(22)} ${c.replayed.score.padEnd(22)} ${c.matches ? "yes" : "NO"}`,
      );
    }
    line(`  adapter root ${result.adapterRoot.recorded} / ${result.adapterRoot.replayed}: ${result.adapterRoot.matches ? "yes" : "NO"}`);
    line(`  perplexity before ${result.perplexity.recordedBefore} / ${result.perplexity.replayedBefore}, after ${result.perplexity.recordedAfter} / ${result.perplexity.replayedAfter}: ${result.perplexity.matches ? "yes" : "NO"}`);
    line(`  adapters trained ${result.trainings}, reused from the store ${result.adaptersReused}`);
    return result.matches ? 0 : 2;
  }

  // Wrong NATS settings fail before anything connects.
  const nats = command === "run" ? natsSettings(config.nats, values) : undefined;
  const ctx = await connect(config, values.addresses);
  const enclave = await createEnclave({ config: config.enclave, chainId: config.chainId, logger });

  if (command === "seal-holdout") {
    if (!values.file) throw new ServiceError("seal-holdout needs --file <holdout.jsonl>.");
    const plaintext = new Uint8Array(await readFile(values.file));
    const examples = parseDatasetJsonlStrict(plaintext, { source: values.file }).length;
    const signer = values.enclave ? getAddress(values.enclave) : enclave.signerAddress;
    const record = (await ctx.publicClient.readContract({ address: ctx.addresses.enclaveRegistry, abi: ctx.abis.EnclaveRegistry, functionName: "enclave", args: [signer] })) as { hpkePublicKey: Hex; expiresAt: bigint; revoked: boolean };
    const now = (await ctx.publicClient.getBlock()).timestamp;
    if (record.expiresAt <= now || record.revoked) {
      throw new ServiceError(`Enclave ${signer} is not registered (or expired, or revoked) in the EnclaveRegistry.`, { hint: "Start the coordinator once (`coordinator run`) so it registers, or pass --enclave with a registered signer." });
    }
    const sealed = await storeSealedHoldout({ plaintext, recipientPublicKey: hexToBytes(record.hpkePublicKey), info: values.info ?? DEFAULT_HOLDOUT_INFO, store });
    plaintext.fill(0);
    process.stdout.write(`${sealed.root}\n`);
    process.stderr.write(`Sealed ${examples} examples to enclave ${signer} (HPKE key ${record.hpkePublicKey}); envelope ${sealed.size} bytes in the ${store.kind} store. Create the Forge with holdoutRoot ${sealed.root} and holdoutExamples ${examples}.\n`);
    return 0;
  }

  const evalSettings = values.eval ? await readEvalSettings(values.eval) : {};
  const embedded = await Promise.all((values["worker-key"] ?? []).map(async (file) => (await readEd25519KeyFile(file)).privateKey));
  const queueDir = values["queue-dir"] ?? path.join(config.dataDir, "queue");
  const workerTimeoutMs = Number(values["worker-timeout-ms"] ?? 30 * 60_000);
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) return;
    logger.info("stopping after the current step; finished trainings and scores are kept");
    controller.abort(new Error("stopped by signal"));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  logger.info({ threads: threads.threads, source: threads.source }, threads.summary);
  let nc: NatsConnection | undefined;
  if (nats) {
    nc = await connectNatsCoordinator(nats);
    if (!nats.caFile) logger.warn({ url: nats.url }, "NATS without TLS: tokens and jobs travel in the clear; run the server with --tls and pass --nats-ca");
    logger.info({ url: nats.url, user: nats.user, tls: Boolean(nats.caFile), server: nc.getServer() }, `registered workers get their jobs over NATS JetStream at ${nats.url}${nats.caFile ? ", server verified against the CA" : ""}`);
  } else {
    logger.info({ queueDir }, `registered workers get their jobs through the file queue in ${queueDir}`);
  }
  const service = createCoordinatorService({
    config,
    logger,
    threads: threads.threads,
    ctx,
    enclave,
    store,
    eval: evalSettings,
    workersFor: createServiceWorkers({ embeddedKeys: embedded, ...(nc ? { nats: nc } : {}), queueDir, timeoutMs: workerTimeoutMs, store, logger }),
  });
  try {
    await service.run(controller.signal);
  } finally {
    if (nc && !nc.isClosed()) await nc.close();
  }
  return controller.signal.aborted ? 130 : 0;
}

/** The config's "nats" section with the command line's --nats* flags over it (paths from the command line are relative to the working dir); undefined when neither sets a URL. */
function natsSettings(fromConfig: NatsConfig | undefined, flags: { nats?: string | undefined; "nats-user"?: string | undefined; "nats-token-file"?: string | undefined; "nats-ca"?: string | undefined }): NatsConfig | undefined {
  const raw: Record<string, unknown> = { ...fromConfig };
  if (flags.nats !== undefined) raw.url = flags.nats;
  if (flags["nats-user"] !== undefined) raw.user = flags["nats-user"];
  if (flags["nats-token-file"] !== undefined) raw.tokenFile = path.resolve(flags["nats-token-file"]);
  if (flags["nats-ca"] !== undefined) raw.caFile = path.resolve(flags["nats-ca"]);
  if (Object.keys(raw).length === 0) return undefined;
  const parsed = natsConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ServiceError(`The NATS settings are incomplete or wrong: ${parsed.error.issues.map((i) => `${i.path.join(".") || "nats"} ${i.message}`).join("; ")}.`, {
      hint: "Pass --nats nats://host:4222 with --nats-token-file <the coordinator's token> (and --nats-ca <ca.pem> for a TLS server), or set the config's \"nats\" section",
    });
  }
  return parsed.data;
}

async function connect(config: CoordinatorConfig, addressesFile: string | undefined): Promise<ProtocolContext> {
  const transport = config.rpcUrl.startsWith("ws") ? webSocket(config.rpcUrl) : http(config.rpcUrl);
  const chain = defineChain({ id: config.chainId, name: `chain ${config.chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [config.rpcUrl] } } });
  const pollingInterval = config.chainId === 31337 ? 200 : 2000;
  const publicClient = createPublicClient({ chain, transport, pollingInterval }) as PublicClient;
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (cause) {
    throw new ServiceError(`Cannot reach the JSON-RPC node at ${scrubString(config.rpcUrl)}.`, { cause, hint: "Start one (`npx hardhat node`) or fix rpcUrl." });
  }
  if (chainId !== config.chainId) throw new ServiceError(`The node at ${scrubString(config.rpcUrl)} is chain ${chainId}, not ${config.chainId}.`, { hint: "Fix chainId or rpcUrl in the config." });
  const key = process.env.INGOTFORGE_COORDINATOR_PRIVATE_KEY;
  let account: Account;
  if (key) account = privateKeyToAccount(key as Hex);
  else if (chainId === 31337) account = mnemonicToAccount(HARDHAT_TEST_MNEMONIC, { addressIndex: LOCAL_COORDINATOR_ACCOUNT_INDEX });
  else throw new ServiceError(`Chain ${chainId} needs a funded sending key.`, { hint: "Set INGOTFORGE_COORDINATOR_PRIVATE_KEY." });
  const walletClient = createWalletClient({ chain, transport, account, pollingInterval }) as WalletClient<Transport, Chain, Account>;
  const addresses = addressesFile ? await readAddresses(addressesFile) : await readDeployment({ chainId });
  return { publicClient, walletClient, addresses, abis: await loadProtocolAbis() };
}

/** The node's chain id, for a config that does not name one. */
async function readChainId(rpcUrl: string): Promise<number> {
  try {
    return await createPublicClient({ transport: rpcUrl.startsWith("ws") ? webSocket(rpcUrl) : http(rpcUrl) }).getChainId();
  } catch (cause) {
    throw new ServiceError(`Cannot reach the JSON-RPC node at ${scrubString(rpcUrl)} to read its chain id.`, { cause, hint: "Start one (`npx hardhat node`), or set INGOTFORGE_RPC_URL (and INGOTFORGE_CHAIN_ID) or rpcUrl and chainId in the config" });
  }
}

async function readAddresses(file: string): Promise<ProtocolAddresses> {
  const raw = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  const pick = (name: keyof ProtocolAddresses): Address => {
    if (!raw[name]) throw new ServiceError(`The addresses file ${file} has no "${name}".`, { hint: "Write {factory, ingot, splitter, enclaveRegistry, verifier}." });
    return getAddress(raw[name]);
  };
  return { factory: pick("factory"), ingot: pick("ingot"), splitter: pick("splitter"), enclaveRegistry: pick("enclaveRegistry"), verifier: pick("verifier") };
}

async function readEvalSettings(file: string): Promise<Partial<ServiceEvalSettings>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (cause) {
    throw new ServiceError(`Cannot read the eval settings file ${file} as JSON.`, { cause, hint: "Pass --eval with a JSON file." });
  }
  return parseEvalSettings(raw, file);
}

/**
 * How replay opens the holdout and the sealed contributions (both are sealed to the enclave's one
 * HPKE key): a key file (64 hex digits: the X25519 private key; or JSON
 * `{"simulatedSeed": "0x…"}`: the simulated enclave's seed, from which its HPKE key derives), or
 * else the configured enclave itself.
 */
async function holdoutOpener(
  config: CoordinatorConfig,
  logger: Logger,
  keyFile: string | undefined,
): Promise<{ openHoldout: (envelope: Uint8Array) => Promise<Uint8Array>; openContribution: OpenContribution }> {
  if (!keyFile) {
    const enclave = await createEnclave({ config: config.enclave, chainId: config.chainId, logger });
    return { openHoldout: (envelope) => enclave.openSealed(envelope), openContribution: (envelope, expected) => enclave.openContribution(envelope, expected) };
  }
  const text = (await readFile(keyFile, "utf8")).trim();
  let privateKey: Uint8Array;
  if (text.startsWith("{")) {
    const seed = (JSON.parse(text) as { simulatedSeed?: Hex }).simulatedSeed ?? SIMULATED_DEFAULT_SEED;
    const ikm = hexToBytes(keccak256(concatBytes([hexToBytes(seed), toBytes(HPKE_KEY_PATH)])));
    privateKey = (await generateHpkeKeyPair({ ikm })).privateKey;
  } else {
    const hex = (text.startsWith("0x") ? text : `0x${text}`) as Hex;
    if (!isHex(hex) || hex.length !== 66) throw new ServiceError(`The holdout key file ${keyFile} holds neither 32 bytes of hex nor {"simulatedSeed": …}.`);
    privateKey = hexToBytes(hex);
  }
  return {
    openHoldout: (envelope) => openHoldout({ envelope, recipientPrivateKey: privateKey }),
    openContribution: (envelope, expected) => openContribution({ envelope, recipientPrivateKey: privateKey, expected }),
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`coordinator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
