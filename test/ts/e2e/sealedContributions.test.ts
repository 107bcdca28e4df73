import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, getAddress, keccak256, parseEther, toBytes, type Address, type Hex } from "viem";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import { createLocalContentStore, type LocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { createSimulatedEnclave } from "../../../coordinator/src/enclave/simulated/createSimulatedEnclave.js";
import { DEFAULT_HOLDOUT_INFO } from "../../../coordinator/src/sealing/holdoutSuite.js";
import { sealContribution } from "../../../coordinator/src/sealing/sealContribution.js";
import { openContribution } from "../../../coordinator/src/sealing/openContribution.js";
import { decodeContributionEnvelope } from "../../../coordinator/src/sealing/decodeContributionEnvelope.js";
import { encodeContributionEnvelope } from "../../../coordinator/src/sealing/encodeContributionEnvelope.js";
import { generateHpkeKeyPair } from "../../../coordinator/src/sealing/generateHpkeKeyPair.js";
import { ContributionOpenError } from "../../../coordinator/src/sealing/errors.js";
import type { ContributionBinding } from "../../../coordinator/src/sealing/types.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { getForgeStatus } from "../../../coordinator/src/chain/getForgeStatus.js";
import { ggufToModel } from "../../../coordinator/src/eval/model/ggufToModel.js";
import type { DatasetExample } from "../../../coordinator/src/eval/dataset/types.js";
import type { Enclave } from "../../../coordinator/src/enclave/types.js";
import { createCoordinatorService } from "../../../coordinator/src/service/createCoordinatorService.js";
import { replayAttribution } from "../../../coordinator/src/replay/replayAttribution.js";
import { DATA, filesContaining, toJsonl, workerKey } from "./e2eFixtures.js";
import { createTinyForge } from "./createTinyForge.js";
import { createE2eCoordinator } from "./createE2eCoordinator.js";
import { inProcessWorkersFor } from "./inProcessWorkersFor.js";

type Recorded = { dataId: number; contributor: Address; root: Hex; status: string; reason?: string; score: string; value: number; keptExamples: number };

/**
 * Issue 23, F1b and the binding check, end to end through the coordinator service on the in-process
 * chain: contributions are sealed to the enclave and bound to (chain, Forge, sender); Mallory
 * downloads Alice's envelope and cannot read it, front-runs her with the same root and is excluded
 * as unbound while Alice keeps all her examples; a rewritten binding, a wrong chain, a wrong Forge
 * and a plaintext file are each excluded with their reason; a whole duplicate is excluded by
 * content inside the enclave, a partial one keeps only its new examples.
 */
describe("sealed, sender-bound data contributions through the coordinator (F1b)", () => {
  let dir: string;
  let dataDir: string;
  let env: Awaited<ReturnType<typeof deployLocalProtocol>>;
  let store: LocalContentStore;
  let enclave: Enclave;
  let forge: Address;
  let service: ReturnType<typeof createCoordinatorService>;
  const who = { alice: 1, mallory: 2, carol: 3, dave: 4, worker: 5, capital: 6, wrongChain: 7, wrongForge: 8, plaintext: 9 } as const;
  const address = (account: number) => getAddress(env.wallets[account].account.address);
  let aliceRoot: Hex;
  let rebindRoot: Hex;
  // Carol wrote one example identical to Alice's first (same content), and two of her own.
  const carolExamples: DatasetExample[] = [DATA.alice[0], ...DATA.bob.slice(0, 2)];

  const seal = async (examples: readonly DatasetExample[], binding: ContributionBinding) =>
    (await sealContribution({ plaintext: toJsonl(examples), recipientPublicKey: toBytes(enclave.hpkePublicKey), binding })).bytes;
  const send = async (account: number, bytes: Uint8Array, examples: number) => {
    const { root } = await store.put(bytes);
    await contributeData(env.as(account), { forge, root, sizeBytes: BigInt(bytes.length), exampleCount: examples, metadataURI: "license: CC-BY-4.0" });
    return root;
  };
  const record = async () => {
    const state = service.state().forges[forge.toLowerCase()];
    if (state.status !== "submitted") throw new Error(`not submitted: ${JSON.stringify(state)}`);
    const log = JSON.parse(new TextDecoder().decode(await store.get(state.attributionLogRoot!))) as { contributions: Recorded[] };
    return { root: state.attributionLogRoot!, byId: new Map(log.contributions.map((c) => [c.dataId, c])) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-e2e-sealed-"));
    dataDir = path.join(dir, "coordinator");
    env = await deployLocalProtocol();
    const { ctx, wallets, networkHelpers } = env;
    store = await createLocalContentStore({ dir: path.join(dataDir, "content") });
    const logger = createLogger({ level: "warn", destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    enclave = await createSimulatedEnclave({ chainId: env.chainId, logger });

    const tiny = await createTinyForge({ dir, ctx, store, enclave, creator: wallets[0].account.address });
    const { config, baseBytes, baseModelRoot } = tiny;
    forge = tiny.forge;
    const bound = (account: number): ContributionBinding => ({ chainId: env.chainId, forge, contributor: address(account) });

    // Alice seals and uploads; her envelope is public in the store before her transaction lands.
    const aliceBytes = await seal(DATA.alice, bound(who.alice));
    aliceRoot = (await store.put(aliceBytes)).root;
    // #0 Mallory copies Alice's pending transaction and sends it first; #1 Alice's own lands after it.
    await contributeData(env.as(who.mallory), { forge, root: aliceRoot, sizeBytes: BigInt(aliceBytes.length), exampleCount: DATA.alice.length, metadataURI: "license: CC-BY-4.0" });
    await send(who.alice, aliceBytes, DATA.alice.length);
    // #2 Mallory rewrites the clear binding of Alice's envelope to his own address.
    const { envelope } = decodeContributionEnvelope(aliceBytes);
    rebindRoot = await send(who.mallory, encodeContributionEnvelope({ ...envelope, binding: bound(who.mallory) }), DATA.alice.length);
    // #3 sealed for another chain, #4 for another Forge, #5 not sealed at all.
    await send(who.wrongChain, await seal(DATA.control, { ...bound(who.wrongChain), chainId: 1 }), DATA.control.length);
    await send(who.wrongForge, await seal(DATA.control, { ...bound(who.wrongForge), forge: getAddress(keccak256(toBytes("another forge")).slice(0, 42)) }), DATA.control.length);
    await send(who.plaintext, toJsonl(DATA.control), DATA.control.length);
    // #6 Carol: one example equal to Alice's first, two new. #7 Dave seals a copy of all of Alice's examples.
    await send(who.carol, await seal(carolExamples, bound(who.carol)), carolExamples.length);
    await send(who.dave, await seal(DATA.alice, bound(who.dave)), DATA.alice.length);

    const key = workerKey("sealed");
    await registerCompute(env.as(who.worker), { forge, signer: address(who.worker), ed25519PrivateKey: bytesToHex(key.privateKey), capacity: 1 });
    await contributeCapital(env.as(who.capital), { forge, amount: parseEther("1") });
    const model = ggufToModel(baseBytes);
    service = createE2eCoordinator({
      chainId: env.chainId,
      dataDir,
      confirmations: 1,
      logLevel: "warn",
      logger,
      ctx,
      enclave,
      store,
      workersFor: inProcessWorkersFor({ key, model, baseModelRoot, store }),
    });
    await networkHelpers.time.increaseTo(config.windowEnd);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps Alice's upload unreadable to Mallory: no plaintext in the stored envelope, and no key but the enclave's opens it", async () => {
    const downloaded = await store.get(aliceRoot);
    const texts = DATA.alice.flatMap((e) => [e.prompt, e.response]);
    expect(texts.some((t) => Buffer.from(downloaded).includes(Buffer.from(t)))).toBe(false);
    // Nothing under the store holds Alice's text before the window closes (only envelopes).
    expect(await filesContaining([path.join(dataDir, "content")], DATA.alice.map((e) => e.response))).toEqual([]);
    const malloryKey = await generateHpkeKeyPair();
    const aliceBinding = { chainId: env.chainId, forge, contributor: address(who.alice) };
    await expect(openContribution({ envelope: downloaded, recipientPrivateKey: malloryKey.privateKey, expected: aliceBinding })).rejects.toBeInstanceOf(ContributionOpenError);
    // The enclave itself opens it only for Alice, never for Mallory's address.
    await expect(enclave.openContribution(downloaded, { ...aliceBinding, contributor: address(who.mallory) })).rejects.toBeInstanceOf(ContributionOpenError);
    expect(new TextDecoder().decode(await enclave.openContribution(downloaded, aliceBinding))).toBe(new TextDecoder().decode(toJsonl(DATA.alice)));
  });

  it("excludes Mallory's copy of Alice's root as unbound and keeps every one of Alice's examples, though Mallory was first on chain", async () => {
    await env.networkHelpers.mine(1);
    await service.poll();
    const state = service.state().forges[forge.toLowerCase()];
    expect(state.status === "evaluating" ? state.lastError : "").toBe("");
    expect((await getForgeStatus(env.ctx, forge)).phase).toBe("Live");
    const { byId } = await record();
    expect(byId.get(0)).toMatchObject({ contributor: address(who.mallory), root: aliceRoot, status: "excluded", score: "0", value: 0 });
    expect(byId.get(0)!.reason).toBe(`unbound: sealed for ${address(who.alice)} but contributed by ${address(who.mallory)}`);
    expect(byId.get(1)).toMatchObject({ contributor: address(who.alice), root: aliceRoot, status: "included", keptExamples: DATA.alice.length });
    expect(byId.get(1)!.reason).toBeUndefined();
  });

  it("excludes a rewritten binding, a wrong chain, a wrong Forge and a plaintext file, each with its reason", async () => {
    const { byId } = await record();
    expect(byId.get(2)).toMatchObject({ root: rebindRoot, status: "excluded", score: "0" });
    expect(byId.get(2)!.reason).toMatch(/^tampered or sealed to another key/);
    expect(byId.get(3)!.reason).toBe(`unbound: sealed for chain 1, not chain ${env.chainId}`);
    expect(byId.get(4)!.reason).toMatch(new RegExp(`^unbound: sealed for Forge 0x[0-9a-fA-F]{40}, not this Forge ${forge}$`));
    expect(byId.get(5)!.reason).toMatch(/^not sealed to the Forge's enclave: /);
    for (const id of [2, 3, 4, 5]) expect(byId.get(id)).toMatchObject({ status: "excluded", score: "0", value: 0 });
  });

  it("de-duplicates by content inside the enclave: Dave's whole copy is excluded, Carol keeps only her new examples", async () => {
    const { byId } = await record();
    expect(byId.get(7)).toMatchObject({ contributor: address(who.dave), status: "excluded", score: "0", value: 0 });
    expect(byId.get(7)!.reason).toBe("duplicate: all 3 examples were contributed earlier (data #1)");
    expect(byId.get(6)).toMatchObject({ status: "included", keptExamples: 2 });
  });

  it("pays no shares to any excluded sender, and Alice's shares follow her recorded score", async () => {
    const { byId } = await record();
    const status = await getForgeStatus(env.ctx, forge);
    const sharesOf = async (account: number) =>
      (await env.ctx.publicClient.readContract({ address: env.ctx.addresses.ingot, abi: env.ctx.abis.Ingot, functionName: "balanceOf", args: [address(account), status.ingotId] })) as bigint;
    for (const account of [who.mallory, who.dave, who.wrongChain, who.wrongForge, who.plaintext]) expect(await sharesOf(account)).toBe(0n);
    const alice = byId.get(1)!;
    expect(alice.value).toBeGreaterThan(0);
    expect(BigInt(alice.score)).toBeGreaterThan(0n);
    expect(await sharesOf(who.alice)).toBeGreaterThan(0n);
  });

  it("replays the record exactly, opening each sealed contribution for its recorded binding", async () => {
    const { root } = await record();
    const replay = await replayAttribution({
      store,
      attributionLogRoot: root,
      openHoldout: (envelope) => enclave.openSealed(envelope, { expectedInfo: DEFAULT_HOLDOUT_INFO }),
      openContribution: (envelope, expected) => enclave.openContribution(envelope, expected),
      workDir: path.join(dir, "replay"),
      reuseAdapters: true,
    });
    expect(replay.contributions.map((c) => `${c.dataId}:${c.replayed.status}`)).toEqual(["0:excluded", "1:included", "2:excluded", "3:excluded", "4:excluded", "5:excluded", "6:included", "7:excluded"]);
    expect(replay.matches).toBe(true);
  });
});
