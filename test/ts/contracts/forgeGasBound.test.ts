import { describe, expect, it } from "vitest";
import { encodeFunctionData, keccak256, parseEther, toBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { sendAndWait } from "../../../coordinator/src/chain/sendAndWait.js";
import { evalResultTypedData } from "../../../coordinator/src/chain/evalResultTypedData.js";
import type { EvalResult } from "../../../coordinator/src/chain/types.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";

/** EIP-7825 (Osaka): no transaction may use more gas, whatever the block gas limit. */
const TX_GAS_CAP = 16_777_216n;
const root = (s: string): Hex => keccak256(toBytes(s));

type Env = Awaited<ReturnType<typeof deployLocalProtocol>>;

/** `n` raw transactions from `n` fresh accounts (automine); only the last receipt is awaited. */
async function fromDistinctAccounts(env: Env, tag: string, n: number, call: (i: number) => { data: Hex; value: bigint }, to: Address) {
  let last: Hex = "0x";
  for (let i = 0; i < n; i++) {
    const account = privateKeyToAccount(keccak256(toBytes(`${tag} ${i}`)));
    await env.networkHelpers.setBalance(account.address, parseEther("1"));
    const wallet = await env.viem.getWalletClient(account.address, { account } as never);
    last = await wallet.sendTransaction({ to, ...call(i) } as never);
  }
  if (n > 0) expect((await env.publicClient.waitForTransactionReceipt({ hash: last })).status).toBe("success");
}

/**
 * F6: the factory's MAX_TOTAL_CONTRIBUTIONS_BOUND holds. A Forge filled to the bound with
 * attacker-shaped entries (every entry its own account, so its own holder and claim leaf; 1,000
 * capital positions, which cost the most per entry: two storage reads each; data with distinct
 * positive scores; uneven 1-wei-scale amounts so nearly every part has a remainder) still settles
 * in one transaction under 2^24 gas.
 */
describe("submitEvalResult at the factory's bound on contributions", () => {
  it("fits one transaction under 2^24 gas with attacker-shaped entries at MAX_TOTAL_CONTRIBUTIONS_BOUND", async () => {
    const env = await deployLocalProtocol();
    const { ctx } = env;
    const factory = ctx.addresses.factory;
    const bound = (await env.publicClient.readContract({ address: factory, abi: ctx.abis.ForgeFactory, functionName: "MAX_TOTAL_CONTRIBUTIONS_BOUND" })) as bigint;
    await sendAndWait(ctx, { address: factory, abi: ctx.abis.ForgeFactory, functionName: "setMaxTotalContributions", args: [bound] });

    const now = (await env.publicClient.getBlock()).timestamp;
    const config = {
      ...exampleForgeConfig({ creator: env.wallets[0].account.address, now, holdoutRoot: root("holdout"), holdoutExamples: 10, baseModelRoot: root("base"), allowedMeasurements: [SIMULATED_MEASUREMENT], windowSeconds: 86_400n }),
      caps: { maxData: 1000, maxCompute: 1000, maxCapital: 1000 },
      dataBond: 0n,
      computeBond: 0n,
    };
    const { forge } = await createForge(ctx, config);
    expect(await env.publicClient.readContract({ address: forge, abi: ctx.abis.Forge, functionName: "maxContributions" })).toBe(bound);

    const nCapital = Math.min(1000, Number(bound));
    const nData = Number(bound) - nCapital;
    // Uneven amounts (1e6 + a hash-derived 0..2^20), so the capital pool's parts carry remainders.
    const amount = (i: number) => 1_000_000n + (BigInt(root(`amount ${i}`)) & 0xfffffn);
    await fromDistinctAccounts(env, "bound capital", nCapital, (i) => ({ data: encodeFunctionData({ abi: ctx.abis.Forge, functionName: "contributeCapital", args: [amount(i)] }), value: amount(i) }), forge);
    await fromDistinctAccounts(env, "bound data", nData, (i) => ({ data: encodeFunctionData({ abi: ctx.abis.Forge, functionName: "contributeData", args: [root(`bound data ${i}`), 4096n, 30, "license"] }), value: 0n }), forge);
    const counts = (await env.publicClient.readContract({ address: forge, abi: ctx.abis.Forge, functionName: "counts" })) as readonly bigint[];
    expect(counts[0] + counts[1] + counts[2]).toBe(bound);

    await env.networkHelpers.time.increaseTo(config.windowEnd);
    const result: EvalResult = {
      forge,
      holdoutRoot: config.holdoutRoot,
      baseModelRoot: config.baseModelRoot,
      adapterRoot: root("adapter"),
      metricBefore: 9n * 10n ** 18n,
      metricAfter: 7n * 10n ** 18n,
      dataIds: Array.from({ length: nData }, (_, i) => BigInt(i)),
      dataScores: Array.from({ length: nData }, (_, i) => (BigInt(root(`score ${i}`)) >> 140n) + 1n),
      computeIds: [],
      computeWork: [],
      excludedData: [],
      excludedCompute: [],
      attributionLogRoot: root("log"),
      evalConfigHash: root("eval config"),
      deadline: config.evalDeadline - 1n,
    };
    const signature = await env.enclaveAccount.signTypedData(evalResultTypedData(env.chainId, result));
    const hash = await ctx.walletClient.writeContract({ address: forge, abi: ctx.abis.Forge, functionName: "submitEvalResult", args: [result, signature], gas: TX_GAS_CAP } as never);
    const receipt = await env.publicClient.waitForTransactionReceipt({ hash });
    console.log(`submitEvalResult at the bound (${bound} entries: ${nCapital} capital, ${nData} data, distinct holders): ${receipt.gasUsed} gas (cap ${TX_GAS_CAP})`);
    expect(receipt.status).toBe("success");
    // Measured 16,038,124 at 1,200 (1,000 capital + 200 data); 1,300 entries of this shape do
    // not fit (about 17.2M, 11.2k gas per extra entry), which is why the bound is 1,200.
    expect(receipt.gasUsed).toBeLessThan(TX_GAS_CAP);
  }, 600_000);
});
