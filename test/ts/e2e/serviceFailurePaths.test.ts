import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, parseEther, toBytes, type Address, type Hex } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { computeContentRoot } from "../../../coordinator/src/storage/computeContentRoot.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { DEFAULT_HOLDOUT_INFO } from "../../../coordinator/src/sealing/holdoutSuite.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { getForgeStatus } from "../../../coordinator/src/chain/getForgeStatus.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";
import type { Enclave } from "../../../coordinator/src/enclave/types.js";
import { createCoordinatorService, type ServiceEvent } from "../../../coordinator/src/service/createCoordinatorService.js";
import { replayAttribution } from "../../../coordinator/src/replay/replayAttribution.js";
import { DATA, filesContaining, toJsonl, workerKey } from "./e2eFixtures.js";
import { createTinyForge } from "./createTinyForge.js";
import { createE2eCoordinator } from "./createE2eCoordinator.js";
import { inProcessWorkersFor } from "./inProcessWorkersFor.js";

/**
 * The coordinator service on the in-process chain, from ForgeCreated to a submitted result, with
 * a tampered and a missing contribution among good ones; then replay of its attribution record.
 */
describe("coordinator service: bad contributions, confirmations, holdout secrecy, replay", () => {
  let dir: string;
  let env: Awaited<ReturnType<typeof deployLocalProtocol>>;
  let store: LocalContentStore;
  let enclave: Enclave;
  let forge: Address;
  let dataDir: string;
  const logLines: string[] = [];
  const events: ServiceEvent[] = [];
  let service: ReturnType<typeof createCoordinatorService>;
  let roots: Record<"alice" | "bob" | "tampered" | "missing", Hex>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-e2e-svc-"));
    dataDir = path.join(dir, "coordinator");
    env = await deployLocalProtocol();
    const { ctx, as, wallets, networkHelpers } = env;
    store = await createLocalContentStore({ dir: path.join(dataDir, "content") });
    const logger = createLogger({ level: "debug", destination: new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }) });
    enclave = await createSimulatedEnclave({ chainId: env.chainId, logger });

    const tiny = await createTinyForge({ dir, ctx, store, enclave, creator: wallets[0].account.address });
    const { config, baseBytes, baseModelRoot } = tiny;
    forge = tiny.forge;

    const contribute = async (account: number, bytes: Uint8Array, root: Hex, examples: number) =>
      contributeData(as(account), { forge, root, sizeBytes: BigInt(bytes.length), exampleCount: examples, metadataURI: "license: CC-BY-4.0" });
    // Each file sealed to the enclave's key, bound to its sender (accounts 1-4).
    const seal = async (account: number, examples: typeof DATA.alice) =>
      (await sealContribution({ plaintext: toJsonl(examples), recipientPublicKey: toBytes(enclave.hpkePublicKey), binding: { chainId: env.chainId, forge, contributor: wallets[account].account.address } })).bytes;
    const alice = await seal(1, DATA.alice);
    const bob = await seal(2, DATA.bob);
    const tampered = await seal(3, DATA.bob.map((e) => ({ ...e, id: `${e.id}-t`, response: e.response.toUpperCase() })));
    const missing = await seal(4, DATA.alice.map((e) => ({ ...e, id: `${e.id}-m` })));
    roots = {
      alice: (await store.put(alice)).root,
      bob: (await store.put(bob)).root,
      tampered: (await store.put(tampered)).root,
      // Announced on-chain, never stored anywhere.
      missing: await computeContentRoot(missing),
    };
    await contribute(1, alice, roots.alice, DATA.alice.length);
    await contribute(2, bob, roots.bob, DATA.bob.length);
    await contribute(3, tampered, roots.tampered, DATA.bob.length);
    await contribute(4, missing, roots.missing, DATA.alice.length);
    // Bytes changed in the store after contributing: same size, different content.
    const tamperedPath = store.pathOf(roots.tampered);
    const changed = new Uint8Array(await readFile(tamperedPath));
    changed[10] ^= 0x20;
    await writeFile(tamperedPath, changed);

    const key = workerKey("svc");
    await registerCompute(as(5), { forge, signer: wallets[5].account.address, ed25519PrivateKey: bytesToHex(key.privateKey), capacity: 1 });
    await contributeCapital(as(6), { forge, amount: parseEther("1") });
    const model = ggufToModel(baseBytes);

    service = createE2eCoordinator({
      chainId: env.chainId,
      dataDir,
      confirmations: 2,
      logLevel: "debug",
      logger,
      ctx,
      enclave,
      store,
      workersFor: inProcessWorkersFor({ key, model, baseModelRoot, store }),
      onEvent: (e) => events.push(e),
    });
    await networkHelpers.time.increaseTo(config.windowEnd);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("waits for the confirmations before acting on a closed window", async () => {
    // The window closed in the latest block; two confirmations are not there yet.
    await service.poll();
    const record = service.state().forges[forge.toLowerCase()];
    expect(record.status).toBe("seen");
    expect(events.some((e) => e.kind === "eval-started")).toBe(false);
  });

  it("excludes the tampered and the missing contribution with their reasons, scores them 0, and the Forge goes Live", async () => {
    await env.networkHelpers.mine(2);
    await service.poll();
    const record = service.state().forges[forge.toLowerCase()];
    expect(record.status === "evaluating" ? record.lastError : "").toBe("");
    expect(record.status).toBe("submitted");
    if (record.status !== "submitted") return;
    expect(record.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const status = await getForgeStatus(env.ctx, forge);
    expect(status.phase).toBe("Live");

    const log = JSON.parse(new TextDecoder().decode(await store.get(record.attributionLogRoot!))) as {
      contributions: { dataId: number; root: Hex; status: string; reason?: string; score: string; value: number }[];
    };
    const byRoot = new Map(log.contributions.map((c) => [c.root.toLowerCase(), c]));
    expect(byRoot.get(roots.tampered.toLowerCase())).toMatchObject({ status: "excluded", score: "0", value: 0 });
    expect(byRoot.get(roots.tampered.toLowerCase())!.reason).toMatch(/^root-mismatch/);
    expect(byRoot.get(roots.missing.toLowerCase())).toMatchObject({ status: "excluded", score: "0", value: 0 });
    expect(byRoot.get(roots.missing.toLowerCase())!.reason).toMatch(/^missing/);
    expect(byRoot.get(roots.alice.toLowerCase())!.status).toBe("included");
    expect(byRoot.get(roots.bob.toLowerCase())!.status).toBe("included");

    // The on-chain result carries the same zeros, by data id.
    const accepted = await env.ctx.publicClient.getContractEvents({ address: forge, abi: env.ctx.abis.Forge, eventName: "ResultAccepted", fromBlock: 0n, strict: true });
    expect(accepted).toHaveLength(1);
    const tamperedId = BigInt(byRoot.get(roots.tampered.toLowerCase())!.dataId);
    const missingId = BigInt(byRoot.get(roots.missing.toLowerCase())!.dataId);
    const sharesOf = async (i: number) =>
      (await env.ctx.publicClient.readContract({ address: env.ctx.addresses.ingot, abi: env.ctx.abis.Ingot, functionName: "balanceOf", args: [env.wallets[i].account.address, status.ingotId] })) as bigint;
    expect(await sharesOf(3)).toBe(0n);
    expect(await sharesOf(4)).toBe(0n);
    expect(tamperedId).not.toBe(missingId);
    // The worker earned compute shares for verified work.
    expect(await sharesOf(5)).toBeGreaterThan(0n);
    // The pipeline listed both excluded contributions in the result: their bonds are forfeited,
    // the included ones' bonds refundable.
    const isExcluded = (id: bigint) => env.ctx.publicClient.readContract({ address: forge, abi: env.ctx.abis.Forge, functionName: "isExcluded", args: [0, id] });
    expect(await isExcluded(tamperedId)).toBe(true);
    expect(await isExcluded(missingId)).toBe(true);
    expect(await isExcluded(BigInt(byRoot.get(roots.alice.toLowerCase())!.dataId))).toBe(false);
    const config = (await env.ctx.publicClient.readContract({ address: forge, abi: env.ctx.abis.Forge, functionName: "config" })) as { dataBond: bigint };
    expect(await env.ctx.publicClient.readContract({ address: forge, abi: env.ctx.abis.Forge, functionName: "bondsForfeited" })).toBe(2n * config.dataBond);
  });

  it("logs each excluded contribution with its reason as soon as it collects them", () => {
    const lines = logLines.map((l) => JSON.parse(l) as { msg: string; root?: string; reason?: string });
    const exclusion = (root: Hex) => lines.find((l) => l.root?.toLowerCase() === root.toLowerCase() && /^contribution #\d+ excluded: /.test(l.msg));
    expect(exclusion(roots.tampered)?.msg).toMatch(/excluded: root-mismatch/);
    expect(exclusion(roots.missing)?.msg).toMatch(/excluded: missing/);
    // Before the holdout is opened, not only at the end of the eval.
    const holdoutAt = lines.findIndex((l) => l.msg === "holdout opened in the enclave");
    expect(lines.indexOf(exclusion(roots.tampered)!)).toBeLessThan(holdoutAt);
  });

  it("does nothing more on later polls: one submission", async () => {
    await env.networkHelpers.mine(3);
    await service.poll();
    await service.poll();
    const accepted = await env.ctx.publicClient.getContractEvents({ address: forge, abi: env.ctx.abis.Forge, eventName: "ResultAccepted", fromBlock: 0n, strict: true });
    expect(accepted).toHaveLength(1);
    expect(events.filter((e) => e.kind === "submitted")).toHaveLength(1);
  });

  it("records a Forge whose eval deadline passed before any result as failed, with the reason, and sends nothing", async () => {
    const { ctx, wallets, networkHelpers } = env;
    const now = (await ctx.publicClient.getBlock()).timestamp;
    const status = await getForgeStatus(ctx, forge);
    const config = exampleForgeConfig({ ...status.config, creator: wallets[0].account.address, now, allowedMeasurements: [SIMULATED_MEASUREMENT], windowSeconds: 600n, evalSeconds: 600n });
    const late = (await createForge(ctx, config)).forge;
    await networkHelpers.time.increaseTo(config.evalDeadline + 1n);
    await networkHelpers.mine(3);
    await service.poll();
    const record = service.state().forges[late.toLowerCase()];
    expect(record).toMatchObject({ status: "failed" });
    expect(record.status === "failed" ? record.reason : "").toMatch(/eval deadline passed/);
    expect((await getForgeStatus(ctx, late)).phase).toBe("Failed");
    expect(events.filter((e) => e.kind === "eval-started" && e.forge === late)).toEqual([]);
  });

  it("never writes holdout plaintext: not in any file under the data dir, not in the logs", async () => {
    const markers = DATA.holdout.map((_, i) => `HOLDOUT-PLAINTEXT-MARKER-${i}`);
    expect(await filesContaining([dataDir], markers)).toEqual([]);
    expect(logLines.join("").includes("HOLDOUT-PLAINTEXT-MARKER")).toBe(false);
    // The search itself finds plaintext when it is there.
    await writeFile(path.join(dataDir, "probe.txt"), markers[0]);
    expect(await filesContaining([dataDir], markers)).toEqual([path.join(dataDir, "probe.txt")]);
    await rm(path.join(dataDir, "probe.txt"));
  });

  it("replays the attribution record exactly, re-training every adapter", async () => {
    const record = service.state().forges[forge.toLowerCase()];
    if (record.status !== "submitted") throw new Error("not submitted");
    const replay = await replayAttribution({
      store,
      attributionLogRoot: record.attributionLogRoot!,
      openHoldout: (envelope) => enclave.openSealed(envelope, { expectedInfo: DEFAULT_HOLDOUT_INFO }),
      openContribution: (envelope, expected) => enclave.openContribution(envelope, expected),
      workDir: path.join(dir, "replay"),
    });
    expect(replay.contributions.map((c) => c.matches)).toEqual([true, true, true, true]);
    expect(replay.adapterRoot.matches).toBe(true);
    expect(replay.perplexity.matches).toBe(true);
    expect(replay.matches).toBe(true);
    expect(replay.trainings).toBeGreaterThan(0);
    expect(replay.contributions.filter((c) => c.replayed.status === "excluded").map((c) => c.replayed.score)).toEqual(["0", "0"]);
  });

  it("reports the contribution whose recorded value was altered as not matching", async () => {
    const record = service.state().forges[forge.toLowerCase()];
    if (record.status !== "submitted") throw new Error("not submitted");
    const log = JSON.parse(new TextDecoder().decode(await store.get(record.attributionLogRoot!))) as { contributions: { value: number }[] };
    log.contributions[0].value += 1e-12;
    const { root } = await store.put(new TextEncoder().encode(JSON.stringify(log)));
    const replay = await replayAttribution({
      store,
      attributionLogRoot: root,
      openHoldout: (envelope) => enclave.openSealed(envelope),
      openContribution: (envelope, expected) => enclave.openContribution(envelope, expected),
      workDir: path.join(dir, "replay-altered"),
      reuseAdapters: true,
    });
    expect(replay.trainings).toBe(0);
    expect(replay.adaptersReused).toBeGreaterThan(0);
    expect(replay.contributions.map((c) => c.matches)).toEqual([false, true, true, true]);
    expect(replay.matches).toBe(false);
  });
});
