import type { FastifyInstance } from "fastify";
import type { Llama } from "node-llama-cpp";
import type { Logger } from "pino";
import { createLocalContentStore } from "../../coordinator/src/storage/createLocalContentStore.js";
import type { ContentStore } from "../../coordinator/src/storage/types.js";
import { createPriceBook } from "./config/createPriceBook.js";
import type { GatewayConfig } from "./config/gatewayConfigSchema.js";
import { openProofKey } from "./attestation/openProofKey.js";
import type { ProofKeyAttestation } from "./attestation/types.js";
import type { ProofSigner } from "./proof/types.js";
import { createGatewayServer } from "./server/createGatewayServer.js";
import { createProofIssuer } from "./server/createProofIssuer.js";
import { createStaticIngotCatalog } from "./server/createStaticIngotCatalog.js";
import type { GatewayLedger, IngotCatalog } from "./server/types.js";
import { createServingEngine } from "./serving/createServingEngine.js";
import type { ServingEngine } from "./serving/types.js";
import { openProofWitnesses, type OpenedProofWitnesses } from "./witness/openProofWitnesses.js";

export interface CreateGatewayParameters {
  /** Parsed once by `parseGatewayConfig`. */
  config: GatewayConfig;
  logger: Logger;
  /** The ledger (gateway/src/ledger `openLedger(config.ledger)` in production); closed by the caller. */
  ledger: GatewayLedger;
  /** Defaults to the local content store at `config.storage.localDir`. */
  store?: ContentStore;
  /** Defaults to the Ingots listed in `config.ingots`. */
  catalog?: IngotCatalog;
  /** A llama.cpp binding to share (tests, benchmarks). */
  llama?: Llama;
}

export interface Gateway {
  server: FastifyInstance;
  engine: ServingEngine;
  signer: ProofSigner;
  /** What vouches for the signer's key (served at GET /v1/attestation). */
  attestation: ProofKeyAttestation;
  /** The proofs' batch witnesses (RFC 3161), when `config.witness` is set. */
  witnesses?: OpenedProofWitnesses;
  /** Listen on `config.server.host:port`; returns the address. */
  listen(): Promise<string>;
  /** Stop accepting, finish running calls, free the model. */
  close(): Promise<void>;
}

/** Wire the gateway from its config: proof signer (and its attestation), content store, serving engine, catalog, prices, the proofs' batch witnesses and the HTTP server. */
export async function createGateway({ config, logger, ledger, store, catalog, llama }: CreateGatewayParameters): Promise<Gateway> {
  const { signer, attestation } = await openProofKey(config.proof, logger);
  const contentStore = store ?? (await createLocalContentStore({ dir: config.storage.localDir }));
  const m = config.model;
  const engine = await createServingEngine({
    modelPath: m.path,
    store: contentStore,
    ...(llama ? { llama } : { gpu: m.gpu }),
    maxConcurrent: m.maxConcurrent,
    maxQueue: m.maxQueue,
    maxContexts: m.maxContexts,
    ...(m.contextSize !== undefined ? { contextSize: m.contextSize } : {}),
    ...(m.threads !== undefined ? { threads: m.threads } : {}),
    ...(m.maxCompletionTokens !== undefined ? { maxCompletionTokens: m.maxCompletionTokens } : {}),
    ...(m.adapterCacheDir !== undefined ? { adapterCacheDir: m.adapterCacheDir } : {}),
    logger: (level, message) => logger[level]({ source: "llama.cpp" }, message),
  });
  const witnesses = config.witness ? await openProofWitnesses({ config: config.witness, chain: config.chain, ledgerPath: config.ledger.path, logger, ...(ledger.witnessQueue ? { queue: ledger.witnessQueue } : {}) }) : undefined;
  const server = createGatewayServer({
    engine,
    catalog: catalog ?? createStaticIngotCatalog(config.ingots.map((i) => ({ ...i, model: `ingot-${i.ingotId}` }))),
    ledger,
    proofs: createProofIssuer({ signer, seller: config.server.seller }),
    prices: createPriceBook(config.billing),
    logger,
    bodyLimit: config.server.bodyLimitBytes,
    streamFlushMs: config.server.streamFlushMs,
    attestation,
    ...(witnesses ? { witnesses: witnesses.witnesses } : {}),
  });
  return {
    server,
    engine,
    signer,
    attestation,
    ...(witnesses ? { witnesses } : {}),
    listen: () => server.listen({ host: config.server.host, port: config.server.port }),
    async close() {
      await server.close();
      await witnesses?.close();
      await engine.dispose();
    },
  };
}
