/**
 * The main command (`npm run demo`): the whole product on an in-process Hardhat chain, a local
 * content store and a simulated enclave — a Forge from creation to paid revenue. Nothing else
 * needs to run. State (the demo base model, trained adapters, evaluated coalitions) is cached
 * under .ingotforge/ so a second run skips the training already done.
 *
 * The output is for a person: the services' structured log lines go to .ingotforge/demo/demo.log
 * (INGOTFORGE_VERBOSE=1 sends them to stderr instead, with Node's and llama.cpp's warnings), and
 * INGOTFORGE_THREADS sets llama.cpp's threads (`hardhat run` passes no options to a script).
 */
// First: keeps Node's SQLite ExperimentalWarning out of the output (before anything loads node:sqlite).
import "../coordinator/src/log/installQuietNodeWarnings.js";
import path from "node:path";
import { pino } from "pino";
import hre from "hardhat";
import type { Account, Chain, Transport, WalletClient } from "viem";
import ProtocolModule from "../ignition/modules/Protocol.js";
import { addressesFromIgnition } from "../coordinator/src/chain/addressesFromIgnition.js";
import { loadProtocolAbis } from "../coordinator/src/chain/loadProtocolAbis.js";
import type { ProtocolContext } from "../coordinator/src/chain/types.js";
import { createLogger } from "../coordinator/src/log/createLogger.js";
import { deployGatewayDeposits } from "../gateway/src/chain/deployGatewayDeposits.js";
import { deployProofKeyRegistry } from "../gateway/src/attestation/deployProofKeyRegistry.js";
import { resolveThreads } from "../coordinator/src/util/resolveThreads.js";
import { DEMO_MODEL_THREADS } from "../coordinator/src/eval/demo/demoModelThreads.js";

const started = Date.now();
const verbose = process.env.INGOTFORGE_VERBOSE === "1";
const logFile = path.resolve(".ingotforge/demo/demo.log");
const logger = createLogger({
  name: "demo",
  level: (process.env.LOG_LEVEL ?? "info") as "info",
  destination: verbose ? pino.destination(2) : pino.destination({ dest: logFile, mkdir: true, sync: true }),
});
// Loaded after the warning filter above: it opens the gateway's ledger (node:sqlite).
const { runDemo } = await import("../coordinator/src/demo/runDemo.js");
const controller = new AbortController();
process.once("SIGINT", () => {
  console.log("\nStopping after the current step; finished trainings and evaluations stay cached in .ingotforge/.");
  controller.abort();
});

const threads = resolveThreads({ env: process.env, fallback: DEMO_MODEL_THREADS });
console.log("IngotForge demo: in-process Hardhat chain · local content store · SIMULATED enclave");
console.log(threads.summary.replace("set --threads or", "set"));
console.log(verbose ? "Service logs: stderr (INGOTFORGE_VERBOSE=1)" : `Service logs: ${path.relative(process.cwd(), logFile)} (INGOTFORGE_VERBOSE=1 shows them here)`);
const { viem, ignition, networkHelpers } = await hre.network.create();
const addresses = addressesFromIgnition(await ignition.deploy(ProtocolModule, { displayUi: false }));
const ctx: ProtocolContext = {
  publicClient: (await viem.getPublicClient()) as unknown as ProtocolContext["publicClient"],
  walletClient: (await viem.getWalletClients())[0] as unknown as WalletClient<Transport, Chain, Account>,
  addresses,
  abis: await loadProtocolAbis(),
};
console.log(`Protocol deployed: factory ${addresses.factory}, Ingot ${addresses.ingot}, splitter ${addresses.splitter}`);

try {
  await runDemo({
    ctx,
    wallets: (await viem.getWalletClients()) as unknown as WalletClient<Transport, Chain, Account>[],
    deployGateway: async (splitter) => (await deployGatewayDeposits({ connection: { ignition }, splitter })).deposits,
    deployProofKeyRegistry: async (verifier) => (await deployProofKeyRegistry({ connection: { ignition }, verifier })).registry,
    increaseTime: (to) => networkHelpers.time.increaseTo(to),
    dataDir: path.resolve("data/demo"),
    workDir: path.resolve(".ingotforge/demo"),
    logger,
    threads: threads.threads,
    print: (line) => console.log(line),
    signal: controller.signal,
  });
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  if (controller.signal.aborted) {
    console.log("Stopped. Run `npm run demo` again to resume from the cache.");
    process.exitCode = 130;
  } else {
    throw error;
  }
}
