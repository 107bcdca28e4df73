import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, parseEther, toBytes, type Address, type Hex } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { storeSealedHoldout } from "../../../coordinator/src/sealing/storeSealedHoldout.js";
import { DEFAULT_HOLDOUT_INFO } from "../../../coordinator/src/sealing/holdoutSuite.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { getForgeStatus } from "../../../coordinator/src/chain/getForgeStatus.js";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { withInRunFeatures } from "../../../coordinator/src/compute/inRun/withInRunFeatures.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";
import type { Enclave } from "../../../coordinator/src/enclave/types.js";
import type { CoordinatorConfig } from "../../../coordinator/src/config/coordinatorConfigSchema.js";
import { createCoordinatorService, type ServiceEvent } from "../../../coordinator/src/service/createCoordinatorService.js";
import { replayAttribution } from "../../../coordinator/src/replay/replayAttribution.js";
import { DATA, TINY_LORA_HYPER, toJsonl, workerKey } from "./e2eFixtures.js";
import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { fixtureTokenizer, tinyConfig } from "../eval/fixtures/tinyModels.js";

/**
 * An eval with in-run attribution end to end on the in-process chain (tiny F32 base, three
 * contributions: two on-task, one off-task), then `replay` of its record: in-run
 * values, the calibration and the served adapter all reproduce bit for bit.
 */
describe("coordinator service with in-run attribution, and its replay", () => {
  let dir: string;
  let env: Awaited<ReturnType<typeof deployLocalProtocol>>;
  let store: LocalContentStore;
  let enclave: Enclave;
  let forge: Address;
  let service: ReturnType<typeof createCoordinatorService>;
  // The default compute bound, each example's own AdamW step weighed uniformly, checkpoints at their
  // intervals' ends, the pass's own adapter served and one in-run seed (of two training seeds): what a service runs.
  const IN_RUN = { checkpoints: 2, projectionDim: 128, projectionSeed: "e2e", preconditioner: "sign" as const, exampleWeights: "uniform" as const, calibration: { samples: 2, seed: "e2e" }, maxExtraWork: 2, seeds: 1, checkpointAt: "end" as const, servedAdapter: "in-run-pass" as const };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-e2e-inrun-"));
    const dataDir = path.join(dir, "coordinator");
    env = await deployLocalProtocol();
    const { ctx, as, wallets, networkHelpers } = env;
    store = await createLocalContentStore({ dir: path.join(dataDir, "content") });
    const logger = createLogger({ level: "silent" });
    enclave = await createSimulatedEnclave({ chainId: env.chainId, logger });
    // An F32 random base with the fixture tokenizer (what the llama.cpp attribution tests score).
    const baseBytes = modelToGguf(createRandomModel({ seed: "in-run-e2e", config: tinyConfig({ hiddenSize: 32, intermediateSize: 48, contextLength: 512 }), tensorType: "F32", tokenizer: fixtureTokenizer(), weightScale: 0.5 }));
    const { root: baseModelRoot } = await store.put(baseBytes);
    const { root: holdoutRoot } = await storeSealedHoldout({ plaintext: toJsonl(DATA.holdout), recipientPublicKey: toBytes(enclave.hpkePublicKey), info: DEFAULT_HOLDOUT_INFO, store });
    const now = (await ctx.publicClient.getBlock()).timestamp;
    const config = exampleForgeConfig({ creator: wallets[0].account.address, now, holdoutRoot, holdoutExamples: DATA.holdout.length, baseModelRoot, allowedMeasurements: [SIMULATED_MEASUREMENT], windowSeconds: 3600n });
    forge = (await createForge(ctx, config)).forge;
    // Each file sealed to the enclave's key, bound to its sender (accounts 1-3).
    const sets = [DATA.alice, DATA.bob, DATA.control];
    const files = await Promise.all(
      sets.map(async (examples, i) => (await sealContribution({ plaintext: toJsonl(examples), recipientPublicKey: toBytes(enclave.hpkePublicKey), binding: { chainId: env.chainId, forge, contributor: wallets[i + 1].account.address } })).bytes),
    );
    const counts = sets.map((e) => e.length);
    for (let i = 0; i < files.length; i++) {
      const { root } = await store.put(files[i]);
      await contributeData(as(i + 1), { forge, root, sizeBytes: BigInt(files[i].length), exampleCount: counts[i], metadataURI: "license: CC-BY-4.0" });
    }
    const key = workerKey("in-run");
    await registerCompute(as(5), { forge, signer: wallets[5].account.address, ed25519PrivateKey: bytesToHex(key.privateKey), capacity: 1 });
    await contributeCapital(as(6), { forge, amount: parseEther("1") });
    const model = ggufToModel(baseBytes);
    service = createCoordinatorService({
      config: { rpcUrl: "http://127.0.0.1:8545", chainId: env.chainId, dataDir, confirmations: 0, logLevel: "silent", storage: { kind: "local", dir: path.join(dataDir, "content") }, enclave: { kind: "simulated", forceChain: false } },
      logger,
      ctx,
      enclave,
      store,
      workersFor: ({ registered }) =>
        registered.filter((r) => r.ed25519PublicKey === key.publicKey).map((r) => withInRunFeatures(createInProcessWorker({ computeId: r.computeId, ed25519PrivateKey: key.privateKey, model, baseModelRoot, store }), { ed25519PrivateKey: key.privateKey, model })),
      // exactUpTo 2: three contributions are "many", so the default rule picks in-run.
      eval: { hyper: TINY_LORA_HYPER, trainingSeeds: [1, 2], method: { kind: "auto", exactUpTo: 2, inRun: IN_RUN }, verification: { policy: "none" } },
    });
    await networkHelpers.time.increaseTo(config.windowEnd);
    await networkHelpers.mine(1);
    await service.poll();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("records in-run values with intervals, the checkpoints and the leave-one-out calibration", async () => {
    const record = service.state().forges[forge.toLowerCase()];
    expect(record.status === "evaluating" ? record.lastError : "").toBe("");
    expect(record.status).toBe("submitted");
    if (record.status !== "submitted") return;
    const log = JSON.parse(new TextDecoder().decode(await store.get(record.attributionLogRoot!)));
    expect(log.estimator.method).toBe("in-run");
    expect(log.estimator.scoreVector.entries.map((e: { stdError: number }) => e.stdError > 0)).toEqual([true, true, true]);
    // One pass (seeds: 1) of the two training seeds.
    expect(log.estimator.inRun).toHaveLength(1);
    // 3 steps of 2 examples train each example once: the features alone are a run's worth; with the
    // default bound of 2 the holdout's gradients fit beside them (with a bound of 1 they did not).
    const work = log.estimator.inRun[0].work;
    expect(work.featureTokens).toBe(work.trainingTokens);
    expect(work.withinBudget).toBe(true);
    expect(work.featureTokens + work.holdoutTokens).toBeLessThanOrEqual(2 * work.trainingTokens);
    expect(work.holdoutExamples).toEqual({ used: 2, of: 2 });
    expect(log.estimator.inRun[0].checkpoints.length).toBeGreaterThanOrEqual(1);
    expect(log.estimator.calibration.players).toHaveLength(2);
    // The features came from the registered worker (one job per in-run seed), not the coordinator.
    expect(log.compute.inRunJobs).toHaveLength(1);
    expect(log.compute.inRunJobs[0].accepted.computeId).toBe(0);
    expect(Number(log.compute.workByComputeId[0])).toBeGreaterThan(0);
    expect(typeof log.estimator.calibration.spearman === "number" || log.estimator.calibration.spearman === null).toBe(true);
    // The served adapter is the pass's run: no training beyond the calibration's (1 + 2 coalitions × 2 seeds);
    // its hash is the in-run job's verified adapterHash (runForgeEval checks it).
    expect(log.estimator.servedAdapter).toEqual({ source: "in-run-pass", seed: 1, examples: log.contributions.reduce((a: number, c: { keptExamples: number }) => a + c.keptExamples, 0) });
    expect(log.compute.jobs.jobs).toHaveLength((1 + 2) * 2);
    // The served file is built from the pass's last checkpoint, byte for byte the pool's training of the same job.
    const full = log.compute.jobs.jobs.filter((j: { outcome: { adapterRoot: string } }) => j.outcome.adapterRoot === log.result.adapterRoot);
    expect(full).toHaveLength(1);
    expect((await getForgeStatus(env.ctx, forge)).phase).toBe("Live");
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
    expect(replay.contributions.map((c) => c.matches)).toEqual([true, true, true]);
    expect(replay.contributions.every((c) => c.recorded.value !== 0)).toBe(true);
    expect(replay.matches).toBe(true);
  });
});
