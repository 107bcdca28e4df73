import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import type { Address, Hex } from "viem";
import { createInProcessWorker } from "../compute/createInProcessWorker.js";
import { ed25519PublicKeyOf } from "../compute/ed25519Keys.js";
import { createQueueWorkerClient } from "../compute/fileQueue/createQueueWorkerClient.js";
import { withInRunFeatures } from "../compute/inRun/withInRunFeatures.js";
import { createNatsWorkerClient } from "../compute/nats/createNatsWorkerClient.js";
import type { InRunFeaturesListener, InRunResultKeyFor, InRunWorker } from "../compute/inRun/types.js";
import type { ComputeWorker } from "../compute/types.js";
import type { Qwen2Model } from "../eval/model/types.js";
import type { ContentStore } from "../storage/types.js";
import type { RegisteredCompute } from "./createCoordinatorService.js";

export interface CreateServiceWorkersParameters {
  /** Ed25519 private keys (--worker-key) whose registered workers train in this process (development). */
  embeddedKeys: readonly Uint8Array[];
  /** A coordinator connection to the pool's nats-server: every other registered worker gets its jobs over NATS JetStream. */
  nats?: NatsConnection;
  /** Without `nats`: the file queue every other registered worker takes its jobs from. */
  queueDir: string;
  /** How long to wait for a worker's result before the pool gives its job to the next worker. */
  timeoutMs: number;
  /** The content store workers put adapters and sealed in-run features in. */
  store: ContentStore;
  logger: Logger;
}

export type ServiceWorkersFor = (p: {
  forge: Address;
  registered: RegisteredCompute[];
  model: Qwen2Model;
  baseModelRoot: Hex;
  /** The enclave's in-run result keys (Enclave.inRunResultKey): remote workers seal their features to them, and a restarted coordinator still opens them. Left out, each client holds a random key in memory. */
  resultKey?: InRunResultKeyFor;
  /** Told the root of every sealed features envelope a remote worker's client opened (the service removes them from the local store once the result is submitted). */
  onInRunFeatures?: InRunFeaturesListener;
}) => (ComputeWorker & InRunWorker)[];

/**
 * The service's `workersFor`: one ComputeWorker per registered worker key of a Forge, each also an
 * InRunWorker (in-run attribution's feature jobs go to the same workers, by the same transport). A
 * key given in `embeddedKeys` trains in this process; every other key is a remote worker, reached
 * over NATS JetStream when `nats` is given (createNatsWorkerClient, its stolen-token events logged
 * as errors that say what to do) and through the file queue otherwise.
 */
export function createServiceWorkers(params: CreateServiceWorkersParameters): ServiceWorkersFor {
  const embedded = params.embeddedKeys.map((privateKey) => ({ privateKey, publicKey: ed25519PublicKeyOf(privateKey).toLowerCase() }));
  const { logger, nats } = params;
  return ({ forge, registered, model, baseModelRoot, resultKey, onInRunFeatures }) =>
    registered.map((r): ComputeWorker & InRunWorker => {
      const key = embedded.find((k) => k.publicKey === r.ed25519PublicKey.toLowerCase());
      if (key) return withInRunFeatures(createInProcessWorker({ computeId: r.computeId, ed25519PrivateKey: key.privateKey, model, baseModelRoot, store: params.store, logger }), { ed25519PrivateKey: key.privateKey, model, baseModelRoot, store: params.store });
      const inRun = { ...(resultKey ? { resultKey } : {}), ...(onInRunFeatures ? { onInRunFeatures } : {}) };
      if (!nats) return createQueueWorkerClient({ queueDir: params.queueDir, computeId: r.computeId, publicKey: r.ed25519PublicKey, timeoutMs: params.timeoutMs, store: params.store, logger, ...inRun });
      return createNatsWorkerClient({
        nc: nats,
        computeId: r.computeId,
        publicKey: r.ed25519PublicKey,
        timeoutMs: params.timeoutMs,
        forge,
        store: params.store,
        logger,
        ...inRun,
        onEvent: (event) =>
          logger.error(
            { forge, computeId: event.computeId, workerPublicKey: r.ed25519PublicKey, jobId: event.jobId, reason: event.reason, event: event.type },
            `someone else holds the NATS token of worker ${event.computeId} (${r.ed25519PublicKey}): its message was dropped and is not held against the worker; revoke the token (drop the worker from the nats-server users file, kill -HUP the server) and give the worker a new one`,
          ),
      });
    });
}
