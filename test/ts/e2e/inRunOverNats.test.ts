import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, parseEther, toBytes, type Address, type Hex } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { storeSealedHoldout } from "../../../coordinator/src/sealing/storeSealedHoldout.js";
import { DEFAULT_HOLDOUT_INFO } from "../../../coordinator/src/sealing/holdoutSuite.js";
import { openHoldout } from "../../../coordinator/src/sealing/openHoldout.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { getForgeStatus } from "../../../coordinator/src/chain/getForgeStatus.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { withInRunFeatures } from "../../../coordinator/src/compute/inRun/withInRunFeatures.js";
import { connectNatsCoordinator } from "../../../coordinator/src/compute/nats/connectNatsCoordinator.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { makeNatsCertificates } from "../../../coordinator/src/compute/nats/makeNatsCertificates.js";
import { runNatsWorker, type RunNatsWorkerReturnType } from "../../../coordinator/src/compute/nats/runNatsWorker.js";
import { startNatsServer, type NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import { EXACT_ATTRIBUTION_UP_TO } from "../../../coordinator/src/eval/attribution/resolveAttributionMethod.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import type { Enclave } from "../../../coordinator/src/enclave/types.js";
import { createCoordinatorService } from "../../../coordinator/src/service/createCoordinatorService.js";
import { createServiceWorkers } from "../../../coordinator/src/service/createServiceWorkers.js";
import { replayAttribution } from "../../../coordinator/src/replay/replayAttribution.js";
import { DATA, TINY_LORA_HYPER, toJsonl, workerKey } from "./e2eFixtures.js";
import { fixtureTokenizer, tinyConfig } from "../eval/fixtures/tinyModels.js";

const COORDINATOR_TOKEN = "in-run-coordinator-token-0123456789";
const workerToken = (i: number) => `in-run-worker-${i}-token-0123456789ab`;

/**
 * The coordinator service as an operator runs it with remote workers (`run --nats` over TLS, the
 * workers from createServiceWorkers): a Forge with more contributions than exact attribution
 * covers (EXACT_ATTRIBUTION_UP_TO + 1), so the default rule picks in-run; the in-run feature job
 * goes over NATS to two registered workers (each runNatsWorker with the worker CLI's in-run
 * support), is verified by duplication, and the Forge goes Live with values that replay bit for bit.
 */
describe("coordinator service with more than the exact limit of contributions, in-run over TLS NATS", () => {
  let dir: string;
  let env: Awaited<ReturnType<typeof deployLocalProtocol>>;
  let store: LocalContentStore;
  let enclave: Enclave;
  let forge: Address;
  let server: NatsServerHandle;
  let coordinatorNc: NatsConnection;
  const loops: { controller: AbortController; done: Promise<RunNatsWorkerReturnType>; nc: NatsConnection }[] = [];
  let service: ReturnType<typeof createCoordinatorService>;
  const keys = [workerKey("in-run-nats-0"), workerKey("in-run-nats-1")];
  /** The roots of the sealed features envelopes the workers put in the (shared, local) store. */
  const featuresRoots: Hex[] = [];
  const openedWithEnclaveKey: boolean[] = [];
  // Seven distinct contributions: one or two examples each.
  const sets = [DATA.alice.slice(0, 1), DATA.alice.slice(1, 2), DATA.alice.slice(2), DATA.bob.slice(0, 1), DATA.bob.slice(1, 2), DATA.bob.slice(2), DATA.control];
  const IN_RUN = { checkpoints: 2, projectionDim: 128, projectionSeed: "e2e-nats", preconditioner: "adam" as const, calibration: { samples: 1, seed: "e2e-nats" } };

  beforeAll(async () => {
    expect(sets.length).toBe(EXACT_ATTRIBUTION_UP_TO + 1);
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-e2e-inrun-nats-"));
    const dataDir = path.join(dir, "coordinator");
    env = await deployLocalProtocol();
    const { ctx, as, wallets, networkHelpers } = env;
    store = await createLocalContentStore({ dir: path.join(dataDir, "content") });
    const logger = createLogger({ level: "silent" });
    enclave = await createSimulatedEnclave({ chainId: env.chainId, logger });
    const baseBytes = modelToGguf(createRandomModel({ seed: "in-run-nats-e2e", config: tinyConfig({ hiddenSize: 32, intermediateSize: 48, contextLength: 512 }), tensorType: "F32", tokenizer: fixtureTokenizer(), weightScale: 0.5 }));
    const { root: baseModelRoot } = await store.put(baseBytes);
    const { root: holdoutRoot } = await storeSealedHoldout({ plaintext: toJsonl(DATA.holdout), recipientPublicKey: toBytes(enclave.hpkePublicKey), info: DEFAULT_HOLDOUT_INFO, store });
    const now = (await ctx.publicClient.getBlock()).timestamp;
    const config = exampleForgeConfig({ creator: wallets[0].account.address, now, holdoutRoot, holdoutExamples: DATA.holdout.length, baseModelRoot, allowedMeasurements: [SIMULATED_MEASUREMENT], windowSeconds: 3600n });
    forge = (await createForge(ctx, config)).forge;
    for (let i = 0; i < sets.length; i++) {
      const file = (await sealContribution({ plaintext: toJsonl(sets[i]), recipientPublicKey: toBytes(enclave.hpkePublicKey), binding: { chainId: env.chainId, forge, contributor: wallets[i + 1].account.address } })).bytes;
      const { root } = await store.put(file);
      await contributeData(as(i + 1), { forge, root, sizeBytes: BigInt(file.length), exampleCount: sets[i].length, metadataURI: "license: CC-BY-4.0" });
    }
    for (let k = 0; k < keys.length; k++) {
      const w = 8 + k;
      await registerCompute(as(w), { forge, signer: wallets[w].account.address, ed25519PrivateKey: bytesToHex(keys[k].privateKey), capacity: 1 });
    }
    await contributeCapital(as(10), { forge, amount: parseEther("1") });

    // The operator's side: a TLS nats-server with the coordinator's and both workers' tokens.
    const certs = await makeNatsCertificates({ dir: path.join(dir, "nats-tls"), hosts: ["127.0.0.1"] });
    server = await startNatsServer({
      dir: path.join(dir, "nats"),
      users: [{ role: "coordinator", user: "coordinator", password: COORDINATOR_TOKEN }, ...keys.map((k, i) => ({ role: "worker" as const, publicKey: k.publicKey, password: workerToken(i) }))],
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    const tokenFile = path.join(dir, "coordinator.token");
    await writeFile(tokenFile, `${COORDINATOR_TOKEN}\n`, { mode: 0o600 });
    coordinatorNc = await connectNatsCoordinator({ url: server.url, user: "coordinator", tokenFile, caFile: certs.caFile });

    // Each worker's side, as `npm run worker -- --nats … --nats-ca …` builds it: trainings and in-run jobs with its own key.
    const model = ggufToModel(baseBytes);
    for (let k = 0; k < keys.length; k++) {
      const { nc } = await connectNatsWorker({ url: server.url, publicKey: keys[k].publicKey, token: workerToken(k), caFile: certs.caFile });
      const key = keys[k].privateKey;
      const worker = withInRunFeatures(createInProcessWorker({ computeId: k, ed25519PrivateKey: key, model, baseModelRoot, store }), { ed25519PrivateKey: key, model, baseModelRoot, store });
      const controller = new AbortController();
      // The worker's store is where its sealed features go (and only those): each put is one envelope.
      const featuresStore = { ...store, put: async (bytes: Uint8Array) => {
        const put = await store.put(bytes);
        featuresRoots.push(put.root);
        // Sealed to the enclave's derived result key (the same after a restart), not a client's random one.
        const { privateKey } = await enclave.inRunResultKey({ forge, computeId: k });
        openedWithEnclaveKey.push(await openHoldout({ envelope: bytes, recipientPrivateKey: privateKey }).then(() => true, () => false));
        return put;
      } };
      const done = runNatsWorker({ nc, forge, publicKey: keys[k].publicKey, ed25519PrivateKey: key, workerFor: () => worker, store: featuresStore, signal: controller.signal, pullExpiresMs: 1_000 });
      loops.push({ controller, done, nc });
    }

    service = createCoordinatorService({
      config: { rpcUrl: "http://127.0.0.1:8545", chainId: env.chainId, dataDir, confirmations: 0, logLevel: "silent", storage: { kind: "local", dir: path.join(dataDir, "content") }, enclave: { kind: "simulated", forceChain: false } },
      logger,
      ctx,
      enclave,
      store,
      threads: 1,
      // No embedded key: both registered workers are remote, reached over NATS (main.ts's run --nats).
      workersFor: createServiceWorkers({ embeddedKeys: [], nats: coordinatorNc, queueDir: path.join(dataDir, "queue"), timeoutMs: 120_000, store, logger }),
      // The default rule (exact up to EXACT_ATTRIBUTION_UP_TO, in-run above) with small in-run settings.
      eval: { hyper: TINY_LORA_HYPER, trainingSeeds: [1], method: { kind: "auto", exactUpTo: EXACT_ATTRIBUTION_UP_TO, inRun: IN_RUN }, verification: { policy: "full" } },
    });
    await networkHelpers.time.increaseTo(config.windowEnd);
    await networkHelpers.mine(1);
    await service.poll();
  }, 300_000);

  afterAll(async () => {
    for (const l of loops) l.controller.abort();
    await Promise.all(loops.map((l) => l.done.catch(() => undefined)));
    for (const nc of [...loops.map((l) => l.nc), coordinatorNc]) if (nc && !nc.isClosed()) await nc.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("attributes in-run with the features from the remote workers, verified by duplication over NATS, and the Forge goes Live", async () => {
    const record = service.state().forges[forge.toLowerCase()];
    expect(record.status === "evaluating" ? record.lastError : "").toBe("");
    expect(record.status).toBe("submitted");
    if (record.status !== "submitted") return;
    const log = JSON.parse(new TextDecoder().decode(await store.get(record.attributionLogRoot!)));
    expect(log.estimator.method).toBe("in-run");
    expect(log.estimator.scoreVector.entries).toHaveLength(sets.length);
    const [job] = log.compute.inRunJobs;
    expect(log.compute.inRunJobs).toHaveLength(1);
    expect(job.audited).toBe(true);
    expect(job.reexecuted).toBe(false);
    expect(job.attempts.map((a: { computeId: number; outcome: string }) => [a.computeId, a.outcome]).sort()).toEqual([[0, "accepted"], [1, "accepted"]]);
    expect(job.accepted.computeId === 0 || job.accepted.computeId === 1).toBe(true);
    expect(Number(log.compute.workByComputeId[job.accepted.computeId])).toBeGreaterThan(0);
    expect((await getForgeStatus(env.ctx, forge)).phase).toBe("Live");
  });

  it("has the workers seal their in-run features to the enclave's derived result key, and removes them from the local store once the result is submitted", async () => {
    // One envelope per worker (the job and its duplicate), each about the size of the features.
    expect(featuresRoots).toHaveLength(2);
    expect(openedWithEnclaveKey).toEqual([true, true]);
    for (const root of featuresRoots) expect(await store.has(root), root).toBe(false);
    // The rest of the store stays: the base model, the holdout and the attribution record.
    const record = service.state().forges[forge.toLowerCase()];
    if (record.status !== "submitted") throw new Error("not submitted");
    expect(await store.has(record.attributionLogRoot!)).toBe(true);
  });

  it("replays the in-run values bit for bit", async () => {
    const record = service.state().forges[forge.toLowerCase()];
    if (record.status !== "submitted") throw new Error("not submitted");
    const replay = await replayAttribution({
      store,
      attributionLogRoot: record.attributionLogRoot!,
      openHoldout: (envelope) => enclave.openSealed(envelope, { expectedInfo: DEFAULT_HOLDOUT_INFO }),
      openContribution: (envelope, expected) => enclave.openContribution(envelope, expected),
      workDir: path.join(dir, "replay"),
    });
    expect(replay.matches).toBe(true);
  }, 120_000);
});
