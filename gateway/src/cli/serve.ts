/**
 * Run the inference gateway: `npx tsx gateway/src/cli/serve.ts --config gateway.json`.
 * Parses the config once, opens the ledger, loads the base model, listens; Ctrl-C stops accepting,
 * lets running calls finish and closes the ledger. `npm run gateway` preloads
 * installQuietNodeWarnings (`--import`: the ledger's static `node:sqlite` import warns while the
 * module graph links, before any of this file runs), so Node's SQLite ExperimentalWarning stays
 * out of the output unless `--verbose` (or INGOTFORGE_VERBOSE=1).
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import pino from "pino";
import { createGateway, type Gateway } from "../createGateway.js";
import { GatewayConfigError, parseGatewayConfig } from "../config/parseGatewayConfig.js";
import { LedgerInUseError } from "../ledger/errors.js";
import { holdServingLease } from "../ledger/holdServingLease.js";
import { openLedger } from "../ledger/openLedger.js";
import { ledgerToGatewayLedger } from "../server/ledgerToGatewayLedger.js";
import { createStaticIngotCatalog } from "../server/createStaticIngotCatalog.js";
import { startChainSync } from "../startChainSync.js";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { resolveThreads, ThreadsError } from "../../../coordinator/src/util/resolveThreads.js";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { config: { type: "string", short: "c" }, threads: { type: "string" }, verbose: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  if (values.help || !values.config) {
    process.stderr.write(
      "usage: npx tsx gateway/src/cli/serve.ts --config <gateway.json> [--threads N] [--verbose]\n(see gateway/README.md, \"Config\"; llama.cpp threads: --threads, else INGOTFORGE_THREADS, else model.threads, else all CPUs but one, at most 4)\n",
    );
    return values.help ? 0 : 2;
  }
  let config;
  try {
    config = parseGatewayConfig(JSON.parse(await readFile(values.config, "utf8")));
  } catch (error) {
    process.stderr.write(`${error instanceof GatewayConfigError || error instanceof SyntaxError ? error.message : String(error)}\n`);
    return 2;
  }
  let threads;
  try {
    threads = resolveThreads({ flag: values.threads, env: process.env, config: config.model.threads, configName: "model.threads" });
  } catch (error) {
    if (!(error instanceof ThreadsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  config = { ...config, model: { ...config.model, threads: threads.threads } };
  const logger = pino({ level: config.log.level });
  logger.info({ threads: threads.threads, source: threads.source }, threads.summary);
  const ledger = openLedger({ path: config.ledger.path });
  // One process serves from a ledger. Taking the lease also gives back the credit held by the
  // reservations a process that died left open (they delivered nothing).
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let lease;
  try {
    lease = holdServingLease({
      ledger,
      ttlMs: config.ledger.leaseTtlMs,
      onLost: (error) => {
        logger.fatal({ err: error }, "lost the ledger's serving lease to another process; stopping");
        stop();
      },
    });
  } catch (error) {
    ledger.close();
    if (error instanceof LedgerInUseError) {
      process.stderr.write(`${config.ledger.path}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (lease.releasedReservations) logger.info({ released: lease.releasedReservations }, "released reservations of a previous run");
  const configured = config.ingots.map((i) => ({ ...i, model: `ingot-${i.ingotId}` }));
  const catalog = createStaticIngotCatalog(configured);
  const stopSync = new AbortController();
  let gateway: Gateway | undefined;
  let sync: Promise<void> = Promise.resolve();
  let address: string;
  try {
    gateway = await createGateway({ config, logger, ledger: ledgerToGatewayLedger(ledger), catalog });
    if (config.chain) {
      const baseModelRoot = await computeContentRoot(new Uint8Array(await readFile(config.model.path)));
      sync = (await startChainSync({ chain: config.chain, ledger, baseModelRoot, configured, replaceCatalog: catalog.replace, asset: config.billing.asset, attestation: gateway.attestation, signal: stopSync.signal, logger })).done;
    }
    address = await gateway.listen();
  } catch (error) {
    // Nothing was served: let the lease and the ledger go, and say why in one line.
    stopSync.abort();
    await gateway?.close().catch(() => undefined);
    await sync.catch(() => undefined);
    lease.release();
    ledger.close();
    process.stderr.write(`the gateway could not start: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
  logger.info({ address, ingots: (await catalog.list()).length, chain: Boolean(config.chain), publicKey: gateway.signer.publicKeyHex, proofKey: gateway.attestation.kind, tsa: config.witness?.tsaUrl ?? null, proofLog: config.witness?.anchor?.proofLog ?? null }, "gateway listening");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await stopped;
  logger.info("stopping: finishing running calls and the settlement round in progress");
  await gateway.close();
  stopSync.abort();
  await sync;
  lease.release();
  ledger.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
