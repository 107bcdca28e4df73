import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, parseEther, toBytes, type Address } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { connectNatsCoordinator } from "../../../coordinator/src/compute/nats/connectNatsCoordinator.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { NatsTransportError } from "../../../coordinator/src/compute/nats/errors.js";
import { makeNatsCertificates, type NatsCertificates } from "../../../coordinator/src/compute/nats/makeNatsCertificates.js";
import { natsNames } from "../../../coordinator/src/compute/nats/natsNames.js";
import { runNatsWorker, type RunNatsWorkerReturnType } from "../../../coordinator/src/compute/nats/runNatsWorker.js";
import { startNatsServer, type NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";
import { createCoordinatorService } from "../../../coordinator/src/service/createCoordinatorService.js";
import { createServiceWorkers } from "../../../coordinator/src/service/createServiceWorkers.js";
import { DATA, toJsonl, workerKey } from "./e2eFixtures.js";
import { createTinyForge } from "./createTinyForge.js";
import { createE2eCoordinator } from "./createE2eCoordinator.js";

const COORDINATOR_TOKEN = "service-coordinator-token-0123456789";
const WORKER_TOKEN = "service-worker-token-0123456789ab";

/**
 * The coordinator service with its one registered worker on a TLS nats-server, as an operator
 * deploys it: certificates from makeNatsCertificates, the coordinator and the worker both verify
 * the server against the CA, and the service's workers come from createServiceWorkers (main.ts's).
 */
describe("coordinator service over NATS JetStream with TLS", () => {
  let dir: string;
  let env: Awaited<ReturnType<typeof deployLocalProtocol>>;
  let store: LocalContentStore;
  let forge: Address;
  let certs: NatsCertificates;
  let server: NatsServerHandle;
  let coordinatorNc: NatsConnection;
  let tokenFile: string;
  const logLines: string[] = [];
  const key = workerKey("nats-tls");
  let workerLoop: { controller: AbortController; done: Promise<RunNatsWorkerReturnType>; nc: NatsConnection };
  let service: ReturnType<typeof createCoordinatorService>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-e2e-nats-tls-"));
    const dataDir = path.join(dir, "coordinator");
    env = await deployLocalProtocol();
    const { ctx, as, wallets, networkHelpers } = env;
    store = await createLocalContentStore({ dir: path.join(dataDir, "content") });
    const logger = createLogger({ level: "debug", destination: new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }) });
    const enclave = await createSimulatedEnclave({ chainId: env.chainId, logger });

    const tiny = await createTinyForge({ dir, ctx, store, enclave, creator: wallets[0].account.address });
    const { config, baseBytes, baseModelRoot } = tiny;
    forge = tiny.forge;
    const alice = (await sealContribution({ plaintext: toJsonl(DATA.alice), recipientPublicKey: toBytes(enclave.hpkePublicKey), binding: { chainId: env.chainId, forge, contributor: wallets[1].account.address } })).bytes;
    const aliceRoot = (await store.put(alice)).root;
    await contributeData(as(1), { forge, root: aliceRoot, sizeBytes: BigInt(alice.length), exampleCount: DATA.alice.length, metadataURI: "license: CC-BY-4.0" });
    await registerCompute(as(5), { forge, signer: wallets[5].account.address, ed25519PrivateKey: bytesToHex(key.privateKey), capacity: 1 });
    await contributeCapital(as(6), { forge, amount: parseEther("1") });

    // The operator's side: certificates, the server with TLS, the coordinator's token file.
    certs = await makeNatsCertificates({ dir: path.join(dir, "nats-tls"), hosts: ["127.0.0.1"] });
    server = await startNatsServer({
      dir: path.join(dir, "nats"),
      users: [{ role: "coordinator", user: "coordinator", password: COORDINATOR_TOKEN }, { role: "worker", publicKey: key.publicKey, password: WORKER_TOKEN }],
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    tokenFile = path.join(dir, "coordinator.token");
    await writeFile(tokenFile, `${COORDINATOR_TOKEN}\n`, { mode: 0o600 });
    coordinatorNc = await connectNatsCoordinator({ url: server.url, user: "coordinator", tokenFile, caFile: certs.caFile });

    // The worker's side: its own connection, verified against the CA, training with its own key.
    const model = ggufToModel(baseBytes);
    const { nc } = await connectNatsWorker({ url: server.url, publicKey: key.publicKey, token: WORKER_TOKEN, caFile: certs.caFile });
    const trainer = createInProcessWorker({ computeId: 0, ed25519PrivateKey: key.privateKey, model, baseModelRoot, store });
    const controller = new AbortController();
    const done = runNatsWorker({ nc, forge, publicKey: key.publicKey, ed25519PrivateKey: key.privateKey, workerFor: () => trainer, signal: controller.signal, pullExpiresMs: 1_000 });
    workerLoop = { controller, done, nc };

    service = createE2eCoordinator({
      chainId: env.chainId,
      dataDir,
      confirmations: 2,
      logLevel: "debug",
      logger,
      ctx,
      enclave,
      store,
      threads: 1,
      // No embedded key: the registered worker is remote, so its jobs go over NATS.
      workersFor: createServiceWorkers({ embeddedKeys: [], nats: coordinatorNc, queueDir: path.join(dataDir, "queue"), timeoutMs: 120_000, store, logger }),
    });
    await networkHelpers.time.increaseTo(config.windowEnd);
    await networkHelpers.mine(2);
  }, 240_000);

  afterAll(async () => {
    workerLoop?.controller.abort();
    await workerLoop?.done.catch(() => undefined);
    for (const nc of [workerLoop?.nc, coordinatorNc]) if (nc && !nc.isClosed()) await nc.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("evaluates the Forge with its worker's trainings over TLS NATS and the Forge goes Live", async () => {
    await service.poll();
    const record = service.state().forges[forge.toLowerCase()];
    expect(record.status === "evaluating" ? record.lastError : "").toBe("");
    expect(record.status).toBe("submitted");
    // The trainings went through the JetStream results stream, answered by the worker's loop.
    const names = natsNames(forge, key.publicKey);
    const info = await (await jetstreamManager(coordinatorNc)).streams.info(names.resultsStream);
    expect(info.state.messages).toBeGreaterThan(0);
    expect(logLines.join("")).toMatch(/"msg":"job published"/);
    workerLoop.controller.abort();
    const stats = await workerLoop.done;
    expect(stats.processed).toBe(info.state.messages);
  }, 300_000);

  it("refuses the coordinator's connection without the pool's CA", async () => {
    const withoutCa = connectNatsCoordinator({ url: server.url, user: "coordinator", tokenFile });
    await expect(withoutCa).rejects.toThrow(NatsTransportError);
    await expect(withoutCa).rejects.toMatchObject({ cause: { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" } });
  });
});
