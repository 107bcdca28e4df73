import { describe, expect, it } from "vitest";
import { encodeFunctionData, getAddress, keccak256, parseEther, toBytes, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployLocalProtocol } from "./deployLocalProtocol.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { evalResultTypedData } from "../../../coordinator/src/chain/evalResultTypedData.js";
import { payRevenue } from "../../../coordinator/src/chain/payRevenue.js";
import { claimRevenue } from "../../../coordinator/src/chain/claimRevenue.js";
import { sendAndWait } from "../../../coordinator/src/chain/sendAndWait.js";
import { previewAllocation } from "../../../coordinator/src/chain/previewAllocation.js";
import { buildShareClaims, shareLeaf } from "../../../coordinator/src/chain/buildShareClaims.js";
import { claimShares } from "../../../coordinator/src/chain/claimShares.js";
import { submitEvalResult } from "../../../coordinator/src/chain/submitEvalResult.js";
import type { EvalResult, ProtocolContext } from "../../../coordinator/src/chain/types.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";

const root = (s: string): Hex => keccak256(toBytes(s));
const HOLDOUT = root("holdout");
const BASE = root("base model");
const SUPPLY = 1_000_000_000n;
const ACC = 10n ** 18n;
/** EIP-7825 (Osaka): no transaction may use more gas, whatever the block gas limit. */
const TX_GAS_CAP = 16_777_216n;

type Env = Awaited<ReturnType<typeof deployLocalProtocol>>;

async function openForge(env: Env) {
  const now = (await env.publicClient.getBlock()).timestamp;
  const config = exampleForgeConfig({
    creator: env.wallets[0].account.address,
    now,
    holdoutRoot: HOLDOUT,
    holdoutExamples: 1800,
    baseModelRoot: BASE,
    allowedMeasurements: [SIMULATED_MEASUREMENT],
  });
  const { forge } = await createForge(env.ctx, config);
  return { forge, config };
}

/**
 * `n` data contributions, each from its own fresh account. Sent as raw transactions without the
 * simulate-then-send round trip (automine includes each at once); only the last receipt is awaited.
 */
async function contributeFromDistinctAccounts(env: Env, forge: Address, n: number) {
  const { dataBond } = (await env.publicClient.readContract({ address: forge, abi: env.ctx.abis.Forge, functionName: "config" })) as { dataBond: bigint };
  const accounts = Array.from({ length: n }, (_, i) => privateKeyToAccount(keccak256(toBytes(`scale contributor ${i}`))));
  for (const account of accounts) await env.networkHelpers.setBalance(account.address, parseEther("1"));
  let last: Hex = "0x";
  for (let i = 0; i < n; i++) {
    const wallet = await env.viem.getWalletClient(accounts[i].address, { account: accounts[i] } as never);
    last = await wallet.sendTransaction({
      to: forge,
      data: encodeFunctionData({ abi: env.ctx.abis.Forge, functionName: "contributeData", args: [root(`${forge} data ${i}`), 4096n, 30, "license: CC-BY-4.0"] }),
      value: dataBond,
    } as never);
  }
  expect((await env.publicClient.waitForTransactionReceipt({ hash: last })).status).toBe("success");
  return accounts.map((a) => a.address);
}

/** A result scoring `n` data contributions and, when `workers` is 1, worker 0. */
async function signedResult(env: Env, forge: Address, n: number, workers = 1) {
  const deadline = (await env.publicClient.getBlock()).timestamp + 3600n;
  const result: EvalResult = {
    forge,
    holdoutRoot: HOLDOUT,
    baseModelRoot: BASE,
    adapterRoot: root(`${forge} adapter`),
    metricBefore: 12n * ACC,
    metricAfter: 8n * ACC,
    dataIds: Array.from({ length: n }, (_, i) => BigInt(i)),
    // Uneven, some non-positive (no shares: no leaf), so amounts round differently.
    dataScores: Array.from({ length: n }, (_, i) => (i % 97 === 13 ? -ACC : BigInt(1 + (i % 11)) * 10n ** 16n)),
    computeIds: workers === 1 ? [0n] : [],
    computeWork: workers === 1 ? [10n] : [],
    excludedData: [],
    excludedCompute: [],
    attributionLogRoot: root(`${forge} attribution`),
    evalConfigHash: root("eval config"),
    deadline,
  };
  const signature = await env.enclaveAccount.signTypedData(evalResultTypedData(env.chainId, result));
  return { result, signature };
}

const read = (ctx: ProtocolContext, address: Address, abi: "Forge" | "Ingot" | "RevenueSplitter", functionName: string, args: readonly unknown[] = []) =>
  ctx.publicClient.readContract({ address, abi: ctx.abis[abi], functionName, args });

describe("claim-by-proof shares on the in-process chain", () => {
  it("accepts 1,000 data contributions from 1,000 accounts in one transaction under the 2^24 gas cap, then pays claimers what their shares earned in escrow", async () => {
    const env = await deployLocalProtocol();
    const { ctx } = env;
    const { forge, config } = await openForge(env);
    const contributors = await contributeFromDistinctAccounts(env, forge, 1000);
    expect(new Set(contributors).size).toBe(1000);
    await registerCompute(env.as(4), { forge, signer: env.wallets[4].account.address, ed25519PrivateKey: root(`${forge} ed25519`), capacity: 8 });
    await contributeCapital(env.as(5), { forge, amount: parseEther("3") });
    await env.networkHelpers.time.increaseTo(config.windowEnd);

    const { result, signature } = await signedResult(env, forge, 1000);
    const hash = await ctx.walletClient.writeContract({
      address: forge,
      abi: ctx.abis.Forge,
      functionName: "submitEvalResult",
      args: [result, signature],
      gas: TX_GAS_CAP,
    } as never);
    const receipt = await env.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    expect(receipt.gasUsed).toBeLessThanOrEqual(TX_GAS_CAP);
    console.log(`submitEvalResult with 1,000 data contributions: ${receipt.gasUsed} gas (cap ${TX_GAS_CAP})`);

    const ingotId = (await read(ctx, forge, "Forge", "ingotId")) as bigint;
    const allocation = await previewAllocation(ctx, { result });
    const negative = result.dataScores.filter((s) => s <= 0n).length;
    expect(allocation.holders.length).toBe(1 + (1000 - negative) + 1 + 1);
    expect(allocation.amounts.reduce((a, b) => a + b, 0n)).toBe(SUPPLY);
    const { root: treeRoot, claims } = buildShareClaims(allocation);
    expect(treeRoot).toBe(allocation.root);
    expect(treeRoot).toBe(await read(ctx, forge, "Forge", "sharesRoot"));
    expect(await read(ctx, forge, "Forge", "shareClaimCount")).toBe(BigInt(claims.length));
    expect(await read(ctx, ctx.addresses.ingot, "Ingot", "balanceOf", [forge, ingotId])).toBe(SUPPLY);

    // Revenue arrives while every share is still in escrow: the capital, then a fee.
    await sendAndWait(ctx, { address: forge, abi: ctx.abis.Forge, functionName: "releaseCapital" });
    await payRevenue(env.as(7), { ingotId, asset: zeroAddress, amount: parseEther("1") });
    const [perShare] = (await read(ctx, ctx.addresses.splitter, "RevenueSplitter", "poolOf", [ingotId, zeroAddress])) as readonly [bigint, bigint];

    // Creator (leaf 0), data contributors, the worker and the capital contributor (last two leaves).
    const picked = [0, 1, 500, claims.length - 2, claims.length - 1].map((i) => claims[i]);
    for (const claim of picked) {
      // Anyone may send a claim; the shares go to the leaf's account.
      const sent = await claimShares(env.as(8), { forge, claim });
      expect(sent).toMatchObject({ ingotId, amount: claim.amount });
      expect(await read(ctx, ctx.addresses.ingot, "Ingot", "balanceOf", [claim.account, ingotId])).toBe(claim.amount);
      expect(await read(ctx, ctx.addresses.splitter, "RevenueSplitter", "claimable", [ingotId, zeroAddress, claim.account])).toBe((claim.amount * perShare) / ACC);
    }
    expect(picked[0].account).toBe(getAddress(env.wallets[0].account.address));
    expect(picked[4].account).toBe(getAddress(env.wallets[5].account.address));

    // The creator's share of 4 ETH (3 capital + 1 fee), to within a wei, reaches its wallet.
    const creatorClaim = await claimRevenue(env.as(0), { ingotId, asset: zeroAddress });
    expect(creatorClaim.amount).toBe((claims[0].amount * perShare) / ACC);
    expect(parseEther("4") * claims[0].amount / SUPPLY - creatorClaim.amount).toBeLessThanOrEqual(1n);

    // A leaf is claimed once; a proof for other figures is refused.
    await expect(claimShares(env.as(8), { forge, claim: picked[2] })).rejects.toThrow(/ForgeSharesAlreadyClaimed/);
    const other = claims[2];
    await expect(claimShares(env.as(8), { forge, claim: { ...other, amount: other.amount + 1n } })).rejects.toThrow(/ForgeInvalidShareProof/);

    // Every other proof checks out on chain (simulated, not sent).
    for (let i = 3; i < claims.length - 2; i += 41) {
      const { index, account, amount, proof } = claims[i];
      await ctx.publicClient.simulateContract({ account: env.wallets[9].account, address: forge, abi: ctx.abis.Forge, functionName: "claimShares", args: [index, account, amount, proof] });
    }
    const escrowLeft = (await read(ctx, ctx.addresses.ingot, "Ingot", "balanceOf", [forge, ingotId])) as bigint;
    expect(escrowLeft).toBe(SUPPLY - picked.reduce((a, c) => a + c.amount, 0n));
  });

  it("keeps a small Forge on the direct mint and builds the same root as the Forge", async () => {
    const env = await deployLocalProtocol();
    const { forge, config } = await openForge(env);
    await contributeFromDistinctAccounts(env, forge, 5);
    await env.networkHelpers.time.increaseTo(config.windowEnd);
    const { result, signature } = await signedResult(env, forge, 5, 0);
    const allocation = await previewAllocation(env.ctx, { result });
    expect(buildShareClaims(allocation).root).toBe(allocation.root);
    const { ingotId } = await submitEvalResult(env.ctx, result, signature);
    expect(await read(env.ctx, forge, "Forge", "sharesRoot")).toBe(`0x${"0".repeat(64)}`);
    for (let i = 0; i < allocation.holders.length; i++) {
      expect(await read(env.ctx, env.ctx.addresses.ingot, "Ingot", "balanceOf", [allocation.holders[i], ingotId])).toBe(allocation.amounts[i]);
    }
  });
});

describe("buildShareClaims", () => {
  const holders = Array.from({ length: 7 }, (_, i) => privateKeyToAccount(keccak256(toBytes(`holder ${i}`))).address);
  const amounts = holders.map((_, i) => BigInt(100 + i));

  it("gives one leaf an empty proof and the leaf as root", () => {
    const { root: r, claims } = buildShareClaims({ holders: holders.slice(0, 1), amounts: amounts.slice(0, 1) });
    expect(claims[0].proof).toEqual([]);
    expect(r).toBe(shareLeaf(0n, holders[0], amounts[0]));
  });

  it("skips the level where an odd last leaf is carried up", () => {
    const { claims } = buildShareClaims({ holders, amounts });
    // 7 leaves: leaf 6 is carried at the bottom level, so it has one sibling fewer than leaf 0.
    expect(claims[0].proof).toHaveLength(3);
    expect(claims[6].proof).toHaveLength(2);
  });

  it("rejects holders and amounts of different lengths, and an empty allocation", () => {
    expect(() => buildShareClaims({ holders, amounts: amounts.slice(1) })).toThrow(/one amount per holder: got 7 holders and 6 amounts/);
    expect(() => buildShareClaims({ holders: [], amounts: [] })).toThrow(/at least one holder entry/);
  });
});
