import { describe, expect, it } from "vitest";
import { keccak256, parseEther, toBytes, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployLocalProtocol } from "./deployLocalProtocol.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { getForgeStatus } from "../../../coordinator/src/chain/getForgeStatus.js";
import { formatForgeStatus } from "../../../coordinator/src/chain/formatForgeStatus.js";
import { evalResultTypedData } from "../../../coordinator/src/chain/evalResultTypedData.js";
import { submitEvalResult } from "../../../coordinator/src/chain/submitEvalResult.js";
import { payRevenue } from "../../../coordinator/src/chain/payRevenue.js";
import { claimRevenue } from "../../../coordinator/src/chain/claimRevenue.js";
import { sendAndWait } from "../../../coordinator/src/chain/sendAndWait.js";
import { registerEnclave } from "../../../coordinator/src/chain/registerEnclave.js";
import type { EvalResult, ProtocolContext } from "../../../coordinator/src/chain/types.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";

const root = (s: string): Hex => keccak256(toBytes(s));
const HOLDOUT = root("holdout");
const BASE = root("base model");
const SUPPLY = 1_000_000_000n;

type Env = Awaited<ReturnType<typeof deployLocalProtocol>>;

/** Creator = account 0; data from 1, 2, 3; compute from 4; capital from 5 and 6. */
async function openForge(env: Env, extra: { parentIngotId?: bigint; lineageBps?: number } = {}) {
  const now = (await env.publicClient.getBlock()).timestamp;
  const config = exampleForgeConfig({
    creator: env.wallets[0].account.address,
    now,
    holdoutRoot: HOLDOUT,
    holdoutExamples: 1800,
    baseModelRoot: BASE,
    allowedMeasurements: [SIMULATED_MEASUREMENT],
    ...extra,
  });
  const { forge } = await createForge(env.ctx, config);
  const salt = `${forge}`;
  for (const i of [1, 2, 3]) {
    await contributeData(env.as(i), { forge, root: root(`${salt} data ${i}`), sizeBytes: 1000n, exampleCount: 30, metadataURI: "license: CC-BY-4.0" });
  }
  await registerCompute(env.as(4), { forge, signer: env.wallets[4].account.address, ed25519PublicKey: root(`${salt} ed25519`), capacity: 8 });
  await contributeCapital(env.as(5), { forge, amount: parseEther("3") });
  await contributeCapital(env.as(6), { forge, amount: parseEther("1") });
  return { forge, config };
}

async function signedResult(env: Env, forge: Address, scores: bigint[], signer = env.enclaveAccount, overrides: Partial<EvalResult> = {}) {
  const deadline = (await env.publicClient.getBlock()).timestamp + 3600n;
  const result: EvalResult = {
    forge,
    holdoutRoot: HOLDOUT,
    baseModelRoot: BASE,
    adapterRoot: root(`${forge} adapter`),
    metricBefore: 12n * 10n ** 18n,
    metricAfter: 8n * 10n ** 18n,
    dataIds: scores.map((_, i) => BigInt(i)),
    dataScores: scores,
    computeIds: [0n],
    computeWork: [10n],
    attributionLogRoot: root(`${forge} attribution`),
    evalConfigHash: root("eval config"),
    deadline,
    ...overrides,
  };
  const signature = await signer.signTypedData(evalResultTypedData(env.chainId, result));
  return { result, signature };
}

async function balanceOfShares(ctx: ProtocolContext, holder: Address, ingotId: bigint) {
  return (await ctx.publicClient.readContract({ address: ctx.addresses.ingot, abi: ctx.abis.Ingot, functionName: "balanceOf", args: [holder, ingotId] })) as bigint;
}

async function claimable(ctx: ProtocolContext, ingotId: bigint, holder: Address) {
  return (await ctx.publicClient.readContract({ address: ctx.addresses.splitter, abi: ctx.abis.RevenueSplitter, functionName: "claimable", args: [ingotId, zeroAddress, holder] })) as bigint;
}

describe("the on-chain flow through viem on the in-process chain", () => {
  it("runs a Forge from creation to claimed revenue and conserves every wei", async () => {
    const env = await deployLocalProtocol();
    const { forge, config } = await openForge(env);
    const open = await getForgeStatus(env.ctx, forge);
    expect(open.phase).toBe("Open");
    expect(open.contributions).toEqual({ data: 3n, compute: 1n, capital: 2n });
    expect(open.totalCapital).toBe(parseEther("4"));
    expect(formatForgeStatus(open)).toContain("Rust Unsafe-Code Auditor  [Open]");

    await env.networkHelpers.time.increaseTo(config.windowEnd);
    expect((await getForgeStatus(env.ctx, forge)).phase).toBe("Closed");

    const { result, signature } = await signedResult(env, forge, [6n * 10n ** 17n, 2n * 10n ** 17n, -1n * 10n ** 17n]);
    // Anyone may relay the enclave's signed result: here the account of a capital contributor.
    const { ingotId } = await submitEvalResult(env.as(5), result, signature);
    expect(ingotId).toBe(1n);
    expect((await getForgeStatus(env.ctx, forge)).phase).toBe("Live");

    const holders = env.wallets.slice(0, 7).map((w) => w.account.address);
    const shares = await Promise.all(holders.map((h) => balanceOfShares(env.ctx, h, ingotId)));
    expect(shares.reduce((a, b) => a + b, 0n)).toBe(SUPPLY);
    // Data pool 50% split 6:2 between contributors 1 and 2; contributor 3 scored negative.
    expect(shares[1]).toBe((SUPPLY * 5000n) / 10000n * 6n / 8n);
    expect(shares[2]).toBe((SUPPLY * 5000n) / 10000n * 2n / 8n);
    expect(shares[3]).toBe(0n);
    expect(shares[4]).toBe((SUPPLY * 2000n) / 10000n);
    expect(shares[5]).toBe((SUPPLY * 2000n) / 10000n * 3n / 4n);
    expect(shares[6]).toBe((SUPPLY * 2000n) / 10000n * 1n / 4n);
    expect(shares[0]).toBe((SUPPLY * 1000n) / 10000n);

    // The escrow becomes the Ingot's first revenue; then an inference fee is paid.
    await sendAndWait(env.as(3), { address: forge, abi: env.ctx.abis.Forge, functionName: "releaseCapital" });
    await payRevenue(env.as(3), { ingotId, asset: zeroAddress, amount: parseEther("1") });
    const paidIn = parseEther("5");

    let claimedTotal = 0n;
    for (let i = 0; i < 7; i++) {
      const expected = await claimable(env.ctx, ingotId, holders[i]);
      expect(expected).toBe((paidIn * shares[i]) / SUPPLY);
      const { amount } = await claimRevenue(env.as(i), { ingotId, asset: zeroAddress });
      expect(amount).toBe(expected);
      claimedTotal += amount;
      // Nothing is claimable twice.
      expect(await claimable(env.ctx, ingotId, holders[i])).toBe(0n);
    }
    const left = await env.publicClient.getBalance({ address: env.ctx.addresses.splitter });
    expect(claimedTotal + left).toBe(paidIn);
    expect(left).toBeLessThan(7n); // at most one wei of rounding per holder stays as dust
  });

  it("records a fork's lineage and forwards its royalty to the parent Ingot's holders", async () => {
    const env = await deployLocalProtocol();
    const parent = await openForge(env);
    await env.networkHelpers.time.increaseTo(parent.config.windowEnd);
    const p = await signedResult(env, parent.forge, [1n, 1n, 1n]);
    const { ingotId: parentId } = await submitEvalResult(env.ctx, p.result, p.signature);

    const child = await openForge(env, { parentIngotId: parentId, lineageBps: 500 });
    const status = await getForgeStatus(env.ctx, child.forge);
    expect(status.lineage).toEqual({ parentIngotId: parentId, lineageBps: 500 });
    await env.networkHelpers.time.increaseTo(child.config.windowEnd);
    const c = await signedResult(env, child.forge, [1n, 0n, 0n]);
    const { ingotId: childId } = await submitEvalResult(env.ctx, c.result, c.signature);

    const creator = env.wallets[0].account.address;
    const parentBefore = await claimable(env.ctx, parentId, creator);
    await payRevenue(env.as(8), { ingotId: childId, asset: zeroAddress, amount: parseEther("1") });
    const royalty = (parseEther("1") * 500n) / 10000n;
    const creatorParentShares = await balanceOfShares(env.ctx, creator, parentId);
    expect((await claimable(env.ctx, parentId, creator)) - parentBefore).toBe((royalty * creatorParentShares) / SUPPLY);
    // The lineage shares are held by the splitter for the parent, 5% of the child's supply.
    expect(await balanceOfShares(env.ctx, env.ctx.addresses.splitter, childId)).toBe((SUPPLY * 500n) / 10000n);
  });

  it("refunds every capital contributor in full once the eval deadline passes with no result", async () => {
    const env = await deployLocalProtocol();
    const { forge, config } = await openForge(env);
    await env.networkHelpers.time.increaseTo(config.evalDeadline);
    expect((await getForgeStatus(env.ctx, forge)).phase).toBe("Failed");
    for (const [i, amount] of [[5, parseEther("3")], [6, parseEther("1")]] as const) {
      const before = await env.publicClient.getBalance({ address: env.wallets[i].account.address });
      const { receipt } = await sendAndWait(env.as(i), { address: forge, abi: env.ctx.abis.Forge, functionName: "refund" });
      const after = await env.publicClient.getBalance({ address: env.wallets[i].account.address });
      expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(amount);
    }
    expect(await env.publicClient.getBalance({ address: forge })).toBe(0n);
    await expect(sendAndWait(env.as(5), { address: forge, abi: env.ctx.abis.Forge, functionName: "refund" })).rejects.toThrow(/ForgeNothingToRefund/);
  });

  it("reverts a result signed by an unregistered key, or naming another holdout", async () => {
    const env = await deployLocalProtocol();
    const { forge, config } = await openForge(env);
    await env.networkHelpers.time.increaseTo(config.windowEnd);
    const stranger = privateKeyToAccount(keccak256(toBytes("not an enclave")));
    const forged = await signedResult(env, forge, [1n, 1n, 1n], stranger);
    await expect(submitEvalResult(env.ctx, forged.result, forged.signature)).rejects.toThrow(new RegExp(`ForgeSignerNotValid\\(${stranger.address}\\)`, "i"));
    const wrong = await signedResult(env, forge, [1n, 1n, 1n], env.enclaveAccount, { holdoutRoot: root("another holdout") });
    await expect(submitEvalResult(env.ctx, wrong.result, wrong.signature)).rejects.toThrow(/ForgeHoldoutRootMismatch/);
    expect((await getForgeStatus(env.ctx, forge)).phase).toBe("Closed");
  });

  it("does not send a second registration for an enclave key that is still valid", async () => {
    const env = await deployLocalProtocol();
    const again = await registerEnclave(env.ctx, { quote: "0x", signer: env.enclaveAccount.address, hpkePublicKey: env.hpkePublicKey, quoteBlock: 0n });
    expect(again.alreadyRegistered).toBe(true);
  });
});
