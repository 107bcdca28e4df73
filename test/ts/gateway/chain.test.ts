import { beforeAll, describe, expect, it } from "vitest";
import {
  createPublicClient,
  custom,
  erc20Abi,
  getAddress,
  http,
  keccak256,
  parseEther,
  toBytes,
  zeroAddress,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
} from "viem";
import { mintLiveIngot } from "./fixtures/localGatewayChain.js";
import { deployLocalProtocol } from "../chain/deployLocalProtocol.js";
import { exampleForgeConfig } from "../../../coordinator/src/chain/exampleForgeConfig.js";
import { createForge } from "../../../coordinator/src/chain/createForge.js";
import { contributeData } from "../../../coordinator/src/chain/contributeData.js";
import { registerCompute } from "../../../coordinator/src/chain/registerCompute.js";
import { contributeCapital } from "../../../coordinator/src/chain/contributeCapital.js";
import { evalResultTypedData } from "../../../coordinator/src/chain/evalResultTypedData.js";
import { submitEvalResult } from "../../../coordinator/src/chain/submitEvalResult.js";
import { SIMULATED_MEASUREMENT } from "../../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { gatewayDepositsAbi } from "../../../gateway/src/chain/gatewayDepositsAbi.js";
import { deployGatewayDeposits } from "../../../gateway/src/chain/deployGatewayDeposits.js";
import { createSettlementChain } from "../../../gateway/src/chain/createSettlementChain.js";
import { settleBatch } from "../../../gateway/src/chain/settleBatch.js";
import { readDeposits } from "../../../gateway/src/chain/readDeposits.js";
import { readWithdrawalEvents } from "../../../gateway/src/chain/readWithdrawalEvents.js";
import { readServedIngots } from "../../../gateway/src/chain/readServedIngots.js";
import { isBatchSettled } from "../../../gateway/src/chain/isBatchSettled.js";
import { contractRevertOf, GatewayChainError } from "../../../gateway/src/chain/errors.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import { settlePending } from "../../../gateway/src/settlement/settlePending.js";
import { bumpFee, prepareSend } from "../../../gateway/src/chain/prepareSend.js";
import type { PreparedSend, SettlementBatch, SettlementChain } from "../../../gateway/src/types.js";

/**
 * The gateway's chain side against the real protocol on the in-process EDR chain: two LIVE
 * Ingots minted through the full Forge flow, GatewayDeposits deployed through its Ignition
 * module, deposits and withdrawal events read from logs, and batches settled into the
 * RevenueSplitter with every wei accounted for.
 */

type Env = Awaited<ReturnType<typeof deployLocalProtocol>>;

const SUPPLY = 1_000_000_000n;
const root = (s: string): Hex => keccak256(toBytes(s));
const BASE = root("base model");
const batchIdOf = (s: string): Hex => keccak256(toBytes(s));

/** A LIVE Ingot (creator 0, data 1 and 2, compute 3, capital 4) and its adapter root. */
async function mintIngot(env: Env, label: string): Promise<{ ingotId: bigint; adapterRoot: Hex }> {
  const adapterRoot = root(`${label} adapter`);
  return { ingotId: await mintLiveIngot(env, label, { adapterRoot }), adapterRoot };
}

describe("the gateway's settlement chain on the in-process chain", () => {
  let env: Env;
  let deposits: Address;
  let chain: SettlementChain;
  let ingotA: { ingotId: bigint; adapterRoot: Hex };
  let ingotB: { ingotId: bigint; adapterRoot: Hex };
  let holders: Address[];
  let payer1: Env["wallets"][number];
  let payer2: Env["wallets"][number];
  let sponsor: Env["wallets"][number];
  let P1: Address;
  let P2: Address;

  const splitterAbi = [
    { type: "function", name: "claimable", stateMutability: "view", inputs: [{ type: "uint256" }, { type: "address" }, { type: "address" }], outputs: [{ type: "uint256" }] },
  ] as const;
  const ingotBalanceAbi = [
    { type: "function", name: "balanceOf", stateMutability: "view", inputs: [{ type: "address" }, { type: "uint256" }], outputs: [{ type: "uint256" }] },
  ] as const;

  const claimable = (ingotId: bigint, asset: Address, holder: Address) =>
    env.publicClient.readContract({ address: env.ctx.addresses.splitter, abi: splitterAbi, functionName: "claimable", args: [ingotId, asset, holder] });
  const shares = (holder: Address, ingotId: bigint) =>
    env.publicClient.readContract({ address: env.ctx.addresses.ingot, abi: ingotBalanceAbi, functionName: "balanceOf", args: [holder, ingotId] });
  const depositBalance = (payer: Address, asset: Address) =>
    env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "balanceOf", args: [payer, asset] });
  const mined = async (hash: Promise<Hash>) => {
    const receipt = await env.publicClient.waitForTransactionReceipt({ hash: await hash });
    expect(receipt.status).toBe("success");
    return receipt;
  };
  /** A JSON-RPC call on the in-process node (automine, mining, the next base fee). */
  const rpc = (method: string, params: unknown[] = []) => (env.connection.provider as { request(a: { method: string; params: unknown[] }): Promise<unknown> }).request({ method, params });
  /** A fresh ledger that has seen P1's deposits (10,000 wei more, deposited here) and holds one committed charge of `amount` to Ingot A. */
  const ledgerWithCharge = async (amount: bigint) => {
    await mined(payer1.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [P1], value: 10_000n }));
    const ledger = openLedger({ path: ":memory:" });
    const latest = await chain.latestBlock();
    ledger.recordChainEvents({ deposits: await chain.readDeposits({ fromBlock: 0n, toBlock: latest }), withdrawals: [], toBlock: latest });
    const reservationId = ledger.reserve({ payer: P1, asset: zeroAddress, ingotId: ingotA.ingotId, amount });
    ledger.commitCharge({ reservationId, amount, promptTokens: 3, completionTokens: 2 });
    return ledger;
  };

  beforeAll(async () => {
    env = await deployLocalProtocol();
    ingotA = await mintIngot(env, "ingot a");
    ingotB = await mintIngot(env, "ingot b");
    holders = env.wallets.slice(0, 5).map((w) => w.account.address);
    ({ deposits } = await deployGatewayDeposits({
      connection: env.connection,
      splitter: env.ctx.addresses.splitter,
      settler: env.wallets[0].account.address,
      withdrawalDelay: 3600n,
    }));
    chain = createSettlementChain({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits });
    [payer1, payer2, sponsor] = [env.wallets[7], env.wallets[8], env.wallets[9]];
    // Records carry checksummed addresses.
    [P1, P2] = [getAddress(payer1.account.address), getAddress(payer2.account.address)];
  });

  it("deploys GatewayDeposits in front of the protocol's splitter with the settler role granted", async () => {
    const read = <F extends "splitter" | "withdrawalDelay" | "SETTLER_ROLE">(functionName: F) =>
      env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName });
    expect((await read("splitter")).toLowerCase()).toBe(env.ctx.addresses.splitter.toLowerCase());
    expect(await read("withdrawalDelay")).toBe(3600n);
    const role = await read("SETTLER_ROLE");
    expect(await env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "hasRole", args: [role, env.wallets[0].account.address] })).toBe(true);
    expect(await env.publicClient.readContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "hasRole", args: [role, P1] })).toBe(false);
  });

  it("reads the minted Ingots as served models ingot-<id> with their adapter roots", async () => {
    const served = await readServedIngots({ publicClient: env.publicClient, ingot: env.ctx.addresses.ingot });
    expect(served).toEqual([
      { ingotId: ingotA.ingotId, model: `ingot-${ingotA.ingotId}`, baseModelName: "Qwen2.5-Coder-3B-Instruct", baseModelRoot: BASE, adapterRoot: ingotA.adapterRoot, metadataURI: "0g://ingot a" },
      { ingotId: ingotB.ingotId, model: `ingot-${ingotB.ingotId}`, baseModelName: "Qwen2.5-Coder-3B-Instruct", baseModelRoot: BASE, adapterRoot: ingotB.adapterRoot, metadataURI: "0g://ingot b" },
    ]);
  });

  it("settles an ETH batch: debits the payers, pays each Ingot's holders exactly, and refuses the batch id twice", async () => {
    const from = (await chain.latestBlock()) + 1n;
    const d1 = await mined(payer1.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [P1], value: parseEther("2") }));
    // A sponsor deposits to the credit of payer 2.
    const d2 = await mined(sponsor.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [P2], value: parseEther("1") }));
    const to = await chain.latestBlock();

    const records = await chain.readDeposits({ fromBlock: from, toBlock: to });
    expect(records).toEqual([
      { depositId: `${d1.transactionHash}:${d1.logs[0].logIndex}`, payer: P1, asset: zeroAddress, amount: parseEther("2"), blockNumber: d1.blockNumber },
      { depositId: `${d2.transactionHash}:${d2.logs[0].logIndex}`, payer: P2, asset: zeroAddress, amount: parseEther("1"), blockNumber: d2.blockNumber },
    ]);
    expect(await chain.readDeposits({ fromBlock: to + 1n, toBlock: to + 1n })).toEqual([]);

    const batch: SettlementBatch = {
      batchId: batchIdOf("eth batch 1"),
      asset: zeroAddress,
      debits: [{ payer: P1, amount: parseEther("0.6") }, { payer: P2, amount: parseEther("0.2") }],
      credits: [{ ingotId: ingotA.ingotId, amount: parseEther("0.5") }, { ingotId: ingotB.ingotId, amount: parseEther("0.3") }],
      chargeIds: ["c1", "c2", "c3"],
    };
    const splitterBefore = await env.publicClient.getBalance({ address: env.ctx.addresses.splitter });
    const claimBefore = await Promise.all(holders.flatMap((h) => [claimable(ingotA.ingotId, zeroAddress, h), claimable(ingotB.ingotId, zeroAddress, h)]));
    expect(await chain.isBatchSettled(batch.batchId)).toBe(false);

    const result = await chain.settleBatch(batch);
    if (result.status !== "settled") throw new Error(`expected a settlement, got ${result.status}`);
    const receipt = await env.publicClient.getTransactionReceipt({ hash: result.txHash });
    expect(result.gasUsed).toBe(receipt.gasUsed);
    expect(result.blockNumber).toBe(receipt.blockNumber);
    expect(await chain.isBatchSettled(batch.batchId)).toBe(true);

    expect(await env.publicClient.getBalance({ address: env.ctx.addresses.splitter })).toBe(splitterBefore + parseEther("0.8"));
    expect(await env.publicClient.getBalance({ address: deposits })).toBe(parseEther("2.2"));
    expect(await depositBalance(P1, zeroAddress)).toBe(parseEther("1.4"));
    expect(await depositBalance(P2, zeroAddress)).toBe(parseEther("0.8"));
    const claimAfter = await Promise.all(holders.flatMap((h) => [claimable(ingotA.ingotId, zeroAddress, h), claimable(ingotB.ingotId, zeroAddress, h)]));
    let movedA = 0n;
    let movedB = 0n;
    for (let i = 0; i < holders.length; i++) {
      const [a, b] = [await shares(holders[i], ingotA.ingotId), await shares(holders[i], ingotB.ingotId)];
      expect(claimAfter[2 * i] - claimBefore[2 * i]).toBe((parseEther("0.5") * a) / SUPPLY);
      expect(claimAfter[2 * i + 1] - claimBefore[2 * i + 1]).toBe((parseEther("0.3") * b) / SUPPLY);
      movedA += claimAfter[2 * i] - claimBefore[2 * i];
      movedB += claimAfter[2 * i + 1] - claimBefore[2 * i + 1];
    }
    expect(movedA).toBe(parseEther("0.5"));
    expect(movedB).toBe(parseEther("0.3"));

    // The same batch again sends nothing and says so.
    const nonce = await env.publicClient.getTransactionCount({ address: env.wallets[0].account.address });
    expect(await chain.settleBatch(batch)).toEqual({ status: "already-settled" });
    expect(await env.publicClient.getTransactionCount({ address: env.wallets[0].account.address })).toBe(nonce);
  });

  it("answers already-settled when the contract refuses the batch id although a lagging node said it was not settled", async () => {
    const batch: SettlementBatch = {
      batchId: batchIdOf("eth batch lagging"),
      asset: zeroAddress,
      debits: [{ payer: P1, amount: 1000n }],
      credits: [{ ingotId: ingotA.ingotId, amount: 1000n }],
      chargeIds: ["c4"],
    };
    expect((await settleBatch({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits, batch })).status).toBe("settled");
    // A node whose reads of `settled` lag behind: the simulation still sees BatchAlreadySettled.
    const lagging = new Proxy(env.publicClient, {
      get(target, key, receiver) {
        if (key === "readContract") {
          return async (args: { functionName: string }) => (args.functionName === "settled" ? false : target.readContract(args as never));
        }
        return Reflect.get(target, key, receiver);
      },
    }) as PublicClient;
    expect(await isBatchSettled({ publicClient: lagging, deposits, batchId: batch.batchId })).toBe(false);
    const nonce = await env.publicClient.getTransactionCount({ address: env.wallets[0].account.address });
    expect(await settleBatch({ publicClient: lagging, walletClient: env.wallets[0], deposits, batch })).toEqual({ status: "already-settled" });
    expect(await env.publicClient.getTransactionCount({ address: env.wallets[0].account.address })).toBe(nonce);
  });

  it("refuses a batch the contract rejects with a non-retryable error naming the custom error and its data", async () => {
    const payer = P2;
    const balance = await depositBalance(payer, zeroAddress);
    const base = { asset: zeroAddress, chargeIds: ["x"] };
    const over: SettlementBatch = { ...base, batchId: batchIdOf("over"), debits: [{ payer, amount: balance + 1n }], credits: [{ ingotId: ingotA.ingotId, amount: balance + 1n }] };
    const error = await chain.settleBatch(over).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayChainError);
    expect((error as GatewayChainError).retryable).toBe(false);
    expect((error as GatewayChainError).revert).toEqual({ errorName: "InsufficientDeposit", args: [payer, zeroAddress, balance, balance + 1n] });

    const unbalanced: SettlementBatch = { ...base, batchId: batchIdOf("unbalanced"), debits: [{ payer, amount: 10n }], credits: [{ ingotId: ingotA.ingotId, amount: 11n }] };
    await expect(chain.settleBatch(unbalanced)).rejects.toMatchObject({ retryable: false, revert: { errorName: "SettlementUnbalanced", args: [10n, 11n] } });

    const unknownIngot: SettlementBatch = { ...base, batchId: batchIdOf("unknown ingot"), debits: [{ payer, amount: 10n }], credits: [{ ingotId: 99n, amount: 10n }] };
    await expect(chain.settleBatch(unknownIngot)).rejects.toMatchObject({ retryable: false, revert: { errorName: "SplitterUnknownIngot", args: [99n] } });

    // Only the settler may settle.
    const stranger = createSettlementChain({ publicClient: env.publicClient, walletClient: payer1, deposits });
    const ok: SettlementBatch = { ...base, batchId: batchIdOf("stranger"), debits: [{ payer, amount: 10n }], credits: [{ ingotId: ingotA.ingotId, amount: 10n }] };
    await expect(stranger.settleBatch(ok)).rejects.toMatchObject({ retryable: false, revert: { errorName: "AccessControlUnauthorizedAccount" } });
    expect(await depositBalance(payer, zeroAddress)).toBe(balance);
    expect(await chain.isBatchSettled(ok.batchId)).toBe(false);
  });

  it("settles an ERC-20 batch through approve-and-pay, its first credits below the splitter's minimum first payment (the deposits are a trusted payer), leaving no allowance behind", async () => {
    const usdc = await env.viem.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
    const admin = env.wallets[0];
    await mined(admin.writeContract({ address: env.ctx.addresses.splitter, abi: [{ type: "function", name: "setAssetAllowed", stateMutability: "nonpayable", inputs: [{ type: "address" }, { type: "bool" }, { type: "uint256" }], outputs: [] }] as const, functionName: "setAssetAllowed", args: [usdc.address, true, 10_000_000n] }));
    await mined(payer1.writeContract({ address: usdc.address, abi: [{ type: "function", name: "mint", stateMutability: "nonpayable", inputs: [{ type: "address" }, { type: "uint256" }], outputs: [] }] as const, functionName: "mint", args: [P1, 5_000_000n] }));
    await mined(payer1.writeContract({ address: usdc.address, abi: erc20Abi, functionName: "approve", args: [deposits, 5_000_000n] }));
    const from = (await chain.latestBlock()) + 1n;
    const dep = await mined(payer1.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "depositToken", args: [usdc.address, 5_000_000n, P1] }));
    const [record] = await chain.readDeposits({ fromBlock: from, toBlock: dep.blockNumber });
    expect(record).toMatchObject({ payer: P1, asset: getAddress(usdc.address), amount: 5_000_000n });
    expect(record.depositId).toMatch(new RegExp(`^${dep.transactionHash}:\\d+$`));

    const holderA = holders[1];
    const before = await claimable(ingotA.ingotId, usdc.address, holderA);
    const result = await chain.settleBatch({
      batchId: batchIdOf("usdc batch"),
      asset: usdc.address,
      debits: [{ payer: P1, amount: 3_000_000n }],
      credits: [{ ingotId: ingotA.ingotId, amount: 2_000_000n }, { ingotId: ingotB.ingotId, amount: 1_000_000n }],
      chargeIds: ["u1", "u2"],
    });
    expect(result.status).toBe("settled");
    const balanceOf = (who: Address) => env.publicClient.readContract({ address: usdc.address, abi: erc20Abi, functionName: "balanceOf", args: [who] });
    expect(await balanceOf(env.ctx.addresses.splitter)).toBe(3_000_000n);
    expect(await balanceOf(deposits)).toBe(2_000_000n);
    expect(await depositBalance(P1, usdc.address)).toBe(2_000_000n);
    expect(await env.publicClient.readContract({ address: usdc.address, abi: erc20Abi, functionName: "allowance", args: [deposits, env.ctx.addresses.splitter] })).toBe(0n);
    expect((await claimable(ingotA.ingotId, usdc.address, holderA)) - before).toBe((2_000_000n * (await shares(holderA, ingotA.ingotId))) / SUPPLY);
  });

  it("reads withdrawal requests with their ids, and the withdrawal pays at most what settlement left", async () => {
    const payer = P2;
    const from = (await chain.latestBlock()) + 1n;
    const balance = await depositBalance(payer, zeroAddress);
    const req = await mined(payer2.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "requestWithdrawal", args: [zeroAddress, balance] }));
    const requests = await chain.readWithdrawalEvents({ fromBlock: from, toBlock: req.blockNumber });
    expect(requests).toEqual([{ eventId: `${req.transactionHash}:${req.logs[0].logIndex}`, kind: "requested", payer, asset: zeroAddress, amount: balance, blockNumber: req.blockNumber, logIndex: req.logs[0].logIndex }]);
    expect(await readWithdrawalEvents({ publicClient: env.publicClient, deposits, fromBlock: from, toBlock: req.blockNumber })).toEqual(requests);
    expect(await readDeposits({ publicClient: env.publicClient, deposits, fromBlock: from, toBlock: req.blockNumber })).toEqual([]);

    // During the notice the gateway settles what it already served.
    const served = parseEther("0.1");
    const settled = await chain.settleBatch({ batchId: batchIdOf("during notice"), asset: zeroAddress, debits: [{ payer, amount: served }], credits: [{ ingotId: ingotB.ingotId, amount: served }], chargeIds: ["n1"] });
    // The settlement's debit is read back as a Charged record naming its batch.
    expect(settled.status).toBe("settled");
    const settledAt = settled.status === "settled" ? settled.blockNumber : 0n;
    const debits = await chain.readDebits({ fromBlock: settledAt, toBlock: settledAt });
    expect(debits).toEqual([{ eventId: expect.stringMatching(/^0x[0-9a-f]{64}:\d+$/), batchId: batchIdOf("during notice"), payer, asset: zeroAddress, amount: served, blockNumber: settledAt }]);
    await env.networkHelpers.time.increase(3600);
    const ethBefore = await env.publicClient.getBalance({ address: payer });
    const w = await mined(payer2.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "withdraw", args: [zeroAddress] }));
    const ethAfter = await env.publicClient.getBalance({ address: payer });
    expect(ethAfter - ethBefore + w.gasUsed * w.effectiveGasPrice).toBe(balance - served);
    expect(await depositBalance(payer, zeroAddress)).toBe(0n);
    // The withdrawal is read back with what it actually paid out (the request, capped at the balance left).
    const events = await chain.readWithdrawalEvents({ fromBlock: from, toBlock: w.blockNumber });
    expect(events.map((e) => [e.kind, e.amount])).toEqual([["requested", balance], ["withdrawn", balance - served]]);
  });

  it("reads a long range in pieces a node accepts: the same records in the same order as one request", async () => {
    const latest = await chain.latestBlock();
    const whole = await readDeposits({ publicClient: env.publicClient, deposits, fromBlock: 0n, toBlock: latest });
    expect(whole.length).toBeGreaterThanOrEqual(3);
    expect(await readDeposits({ publicClient: env.publicClient, deposits, fromBlock: 0n, toBlock: latest, maxBlockSpan: 1n })).toEqual(whole);
    const pieces = createSettlementChain({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits, maxBlockSpan: 2n });
    expect(await pieces.readDeposits({ fromBlock: 0n, toBlock: latest })).toEqual(whole);
    expect(await pieces.readWithdrawalEvents({ fromBlock: 0n, toBlock: latest })).toEqual(await chain.readWithdrawalEvents({ fromBlock: 0n, toBlock: latest }));
    const debits = await chain.readDebits({ fromBlock: 0n, toBlock: latest });
    expect(debits.length).toBeGreaterThanOrEqual(2);
    expect(await pieces.readDebits({ fromBlock: 0n, toBlock: latest })).toEqual(debits);
    expect(await chain.readDeposits({ fromBlock: latest, toBlock: latest - 1n })).toEqual([]);
  });

  it("tells whether the settler has sent transactions no block has included yet", async () => {
    expect(await chain.hasPendingTransactions()).toBe(false);
    await rpc("evm_setAutomine", [false]);
    try {
      const hash = await env.wallets[0].sendTransaction({ to: env.wallets[0].account.address, value: 0n });
      expect(await chain.hasPendingTransactions()).toBe(true);
      await rpc("evm_mine");
      expect((await env.publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
      expect(await chain.hasPendingTransactions()).toBe(false);
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
  });

  it("sends no second settlement while the settler's first is not mined, and finds that batch settled once it is", async () => {
    const ledger = await ledgerWithCharge(5000n);
    const settler = env.wallets[0].account.address;
    try {
      const batch = ledger.createBatch({ asset: zeroAddress, maxCharges: 10 })!;
      const splitterBefore = await env.publicClient.getBalance({ address: env.ctx.addresses.splitter });
      await rpc("evm_setAutomine", [false]);
      // A settler that sent the batch and is still waiting for its receipt (or died waiting).
      const first = chain.settleBatch(batch);
      for (let i = 0; i < 200 && !(await chain.hasPendingTransactions()); i++) await new Promise((r) => setTimeout(r, 10));
      const sentNonces = await env.publicClient.getTransactionCount({ address: settler, blockTag: "pending" });
      await expect(settlePending({ ledger, chain, asset: zeroAddress, maxCharges: 10 })).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/not yet mined/) });
      expect(await env.publicClient.getTransactionCount({ address: settler, blockTag: "pending" })).toBe(sentNonces);
      await rpc("evm_mine");
      expect((await first).status).toBe("settled");
      await rpc("evm_setAutomine", [true]);
      expect(await settlePending({ ledger, chain, asset: zeroAddress, maxCharges: 10 })).toMatchObject({ batches: 1, alreadySettled: 1, txHashes: [] });
      expect(ledger.pendingBatches()).toEqual([]);
      expect(await env.publicClient.getBalance({ address: env.ctx.addresses.splitter })).toBe(splitterBefore + 5000n);
      expect(await env.publicClient.getTransactionCount({ address: settler, blockTag: "pending" })).toBe(sentNonces);
    } finally {
      await rpc("evm_setAutomine", [true]);
      ledger.close();
    }
  });

  it("refuses, as retryable, a second settle of a batch whose first is waiting to be mined, naming the contract's error", async () => {
    await mined(payer1.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [P1], value: 1_000n }));
    const batch: SettlementBatch = { batchId: batchIdOf("pending twice"), asset: zeroAddress, debits: [{ payer: P1, amount: 700n }], credits: [{ ingotId: ingotA.ingotId, amount: 700n }], chargeIds: ["c"] };
    await rpc("evm_setAutomine", [false]);
    try {
      const first = chain.settleBatch(batch);
      for (let i = 0; i < 200 && !(await chain.hasPendingTransactions()); i++) await new Promise((r) => setTimeout(r, 10));
      // The simulation (latest block) passes; the gas estimate (pending block) reverts.
      const second = chain.settleBatch(batch);
      await expect(second).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/already waiting to be mined/) });
      expect(contractRevertOf(((await second.catch((e: unknown) => e)) as Error).cause)?.errorName).toBe("BatchAlreadySettled");
      await rpc("evm_mine");
      expect((await first).status).toBe("settled");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
  });

  it("replaces a settlement stuck below the base fee at the same nonce with higher fees, and the old one is never mined", async () => {
    const ledger = await ledgerWithCharge(5000n);
    const settler = env.wallets[0].account.address;
    // `quick` gives up on a receipt at once (the send that is left unmined); `patient` waits for the ones the test mines.
    const quick = createSettlementChain({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits, receiptTimeoutMs: 300 });
    const patient = createSettlementChain({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits, receiptTimeoutMs: 60_000 });
    try {
      const splitterBefore = await env.publicClient.getBalance({ address: env.ctx.addresses.splitter });
      const nonceBefore = await quick.latestNonce();
      let clock = Date.now();
      const round = () => settlePending({ ledger, chain: quick, asset: zeroAddress, maxCharges: 10, replaceAfterMs: 300, now: () => clock });

      await rpc("evm_setAutomine", [false]);
      await expect(round()).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/was not mined within 0.3 s/) });
      const [batch] = ledger.pendingBatches();
      const [stuck] = ledger.settlementSends(batch.batchId);
      expect(stuck).toMatchObject({ kind: "settle", nonce: nonceBefore, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
      // The base fee jumps past the transaction's cap: the next block leaves it in the mempool.
      await rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${(stuck.maxFeePerGas * 10n).toString(16)}`]);
      await rpc("evm_mine");
      await expect(env.publicClient.getTransactionReceipt({ hash: stuck.txHash! })).rejects.toThrow();
      expect(await quick.latestNonce()).toBe(nonceBefore);
      await expect(round()).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/is not mined yet; it is replaced with higher fees/) });

      // EDR takes a same-nonce replacement only into its mempool (not while automining): mine
      // once the replacement is broadcast.
      clock += 300;
      const replacing = settlePending({ ledger, chain: patient, asset: zeroAddress, maxCharges: 10, replaceAfterMs: 300, now: () => clock });
      for (let i = 0; i < 2000 && !ledger.settlementSends(batch.batchId)[1]?.txHash; i++) await new Promise((r) => setTimeout(r, 5));
      await rpc("evm_mine");
      const s = await replacing;
      await rpc("evm_setAutomine", [true]);
      const sends = ledger.settlementSends(batch.batchId);
      expect(sends).toHaveLength(2);
      const replacement = sends[1];
      expect(replacement).toMatchObject({ kind: "settle", nonce: nonceBefore, txHash: s.txHashes[0] });
      expect(replacement.maxFeePerGas).toBeGreaterThanOrEqual(bumpFee(stuck.maxFeePerGas));
      expect(replacement.maxFeePerGas).toBeGreaterThan(stuck.maxFeePerGas * 10n); // covers the base fee it was stuck under
      expect(replacement.maxPriorityFeePerGas).toBeGreaterThanOrEqual(bumpFee(stuck.maxPriorityFeePerGas));
      expect(s).toMatchObject({ batches: 1, charges: 1, alreadySettled: 0 });
      expect((await env.publicClient.getTransactionReceipt({ hash: replacement.txHash! })).status).toBe("success");
      await rpc("evm_mine");
      await expect(env.publicClient.getTransactionReceipt({ hash: stuck.txHash! })).rejects.toThrow();
      expect(await quick.latestNonce()).toBe(nonceBefore + 1);
      expect(await env.publicClient.getTransactionCount({ address: settler, blockTag: "pending" })).toBe(nonceBefore + 1);
      expect(await env.publicClient.getBalance({ address: env.ctx.addresses.splitter })).toBe(splitterBefore + 5000n);
      expect(ledger.pendingBatches()).toEqual([]);
    } finally {
      await rpc("evm_setAutomine", [true]);
      ledger.close();
    }
  });

  it("cancels a stuck settlement with a transfer of 0 at its nonce, after which the batch is sent afresh and settles once", async () => {
    const ledger = await ledgerWithCharge(3000n);
    // `quick` gives up on a receipt at once (the send that is left unmined); `patient` waits for the ones the test mines.
    const quick = createSettlementChain({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits, receiptTimeoutMs: 300 });
    const patient = createSettlementChain({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits, receiptTimeoutMs: 60_000 });
    try {
      const splitterBefore = await env.publicClient.getBalance({ address: env.ctx.addresses.splitter });
      const nonceBefore = await quick.latestNonce();
      await rpc("evm_setAutomine", [false]);
      await expect(settlePending({ ledger, chain: quick, asset: zeroAddress, maxCharges: 10, replaceAfterMs: 300 })).rejects.toMatchObject({ retryable: true });
      const [batch] = ledger.pendingBatches();
      const [stuck] = ledger.settlementSends(batch.batchId);
      await rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${(stuck.maxFeePerGas * 10n).toString(16)}`]);
      await rpc("evm_mine");

      const cancelling = patient.cancelSend(stuck, { onSend: (send) => ledger.recordSettlementSend({ ...send, sentAtMs: Date.now() }) });
      for (let i = 0; i < 2000 && !ledger.settlementSends(batch.batchId)[1]?.txHash; i++) await new Promise((r) => setTimeout(r, 5));
      await rpc("evm_mine");
      await cancelling;
      await rpc("evm_setAutomine", [true]);
      const cancel = ledger.settlementSends(batch.batchId)[1];
      expect(cancel).toMatchObject({ kind: "cancel", nonce: nonceBefore });
      const receipt = await env.publicClient.getTransactionReceipt({ hash: cancel.txHash! });
      expect(receipt).toMatchObject({ status: "success", gasUsed: 21_000n, from: getAddress(env.wallets[0].account.address).toLowerCase(), to: getAddress(env.wallets[0].account.address).toLowerCase() });
      expect(await quick.latestNonce()).toBe(nonceBefore + 1);
      expect(await quick.isBatchSettled(batch.batchId)).toBe(false);

      // Nonce taken, batch not settled: the next round sends it afresh, at the next nonce.
      const s = await settlePending({ ledger, chain: patient, asset: zeroAddress, maxCharges: 10, replaceAfterMs: 300 });
      expect(s).toMatchObject({ batches: 1, alreadySettled: 0 });
      expect(ledger.settlementSends(batch.batchId)[2]).toMatchObject({ kind: "settle", nonce: nonceBefore + 1, txHash: s.txHashes[0] });
      await rpc("evm_mine");
      await expect(env.publicClient.getTransactionReceipt({ hash: stuck.txHash! })).rejects.toThrow();
      expect(await env.publicClient.getBalance({ address: env.ctx.addresses.splitter })).toBe(splitterBefore + 3000n);
    } finally {
      await rpc("evm_setAutomine", [true]);
      ledger.close();
    }
  });

  it("sends a legacy transaction with a gas price on a chain whose blocks carry no base fee", async () => {
    // The same node seen through a transport that drops baseFeePerGas, as a pre-London chain answers.
    const provider = env.connection.provider as { request(a: { method: string; params?: unknown }): Promise<unknown> };
    const noBaseFee = createPublicClient({
      transport: custom({
        request: async ({ method, params }: { method: string; params?: unknown }) => {
          const r = await provider.request({ method, params });
          if (method === "eth_getBlockByNumber" && r) delete (r as { baseFeePerGas?: unknown }).baseFeePerGas;
          return r;
        },
      }),
    }) as PublicClient;
    await mined(payer1.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [P1], value: 1_000n }));
    const sends: PreparedSend[] = [];
    const legacyChain = createSettlementChain({ publicClient: noBaseFee, walletClient: env.wallets[0], deposits });
    const batch: SettlementBatch = { batchId: batchIdOf("legacy"), asset: zeroAddress, debits: [{ payer: P1, amount: 600n }], credits: [{ ingotId: ingotA.ingotId, amount: 600n }], chargeIds: ["l"] };
    const result = await legacyChain.settleBatch(batch, { onSend: (send) => sends.push(send) });
    expect(result.status).toBe("settled");
    const gasPrice = await env.publicClient.getGasPrice();
    expect(sends[1]).toMatchObject({ legacy: true, kind: "settle" });
    expect(sends[1].maxFeePerGas).toBe(sends[1].maxPriorityFeePerGas);
    expect(sends[1].maxFeePerGas).toBeGreaterThanOrEqual(gasPrice);
    const tx = await env.publicClient.getTransaction({ hash: sends[1].txHash! });
    expect(tx).toMatchObject({ type: "legacy", gasPrice: sends[1].maxFeePerGas });
  });

  it("keeps a settlement's max fee at the configured cap, and will not replace one when 12.5 % more would pass the cap", async () => {
    await mined(payer1.writeContract({ address: deposits, abi: gatewayDepositsAbi, functionName: "deposit", args: [P1], value: 1_000n }));
    // Just under the node's estimate (1.2 × base fee + tip), so the cap binds, and still over the base fee, so the transaction is mined.
    const cap = (await env.publicClient.estimateFeesPerGas()).maxFeePerGas - 1n;
    expect(cap).toBeGreaterThan((await env.publicClient.getBlock()).baseFeePerGas!);
    const capped = createSettlementChain({ publicClient: env.publicClient, walletClient: env.wallets[0], deposits, feeCap: cap });
    const sends: PreparedSend[] = [];
    const batch: SettlementBatch = { batchId: batchIdOf("capped"), asset: zeroAddress, debits: [{ payer: P1, amount: 500n }], credits: [{ ingotId: ingotA.ingotId, amount: 500n }], chargeIds: ["k"] };
    expect((await capped.settleBatch(batch, { onSend: (send) => sends.push(send) })).status).toBe("settled");
    expect(sends[1].maxFeePerGas).toBe(cap);
    expect(sends[1].maxPriorityFeePerGas).toBeLessThanOrEqual(cap);
    expect((await env.publicClient.getTransaction({ hash: sends[1].txHash! })).maxFeePerGas).toBe(cap);
    // A transaction already at the cap has no room left for a replacement.
    const atCap: PreparedSend = { batchId: batchIdOf("capped 2"), kind: "settle", nonce: await chain.latestNonce(), maxFeePerGas: cap, maxPriorityFeePerGas: 1n };
    await expect(prepareSend({ publicClient: env.publicClient, account: env.wallets[0].account.address, batchId: atCap.batchId, kind: "settle", replacing: atCap, feeCap: cap })).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/cannot be replaced: 12.5 % more would pass the fee cap/),
    });
  });

  it("reports an unreachable RPC node as a retryable error", async () => {
    const offline = createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0, timeout: 2_000 }) });
    const read = readDeposits({ publicClient: offline, deposits, fromBlock: 0n, toBlock: 1n });
    await expect(read).rejects.toBeInstanceOf(GatewayChainError);
    await expect(read).rejects.toMatchObject({ retryable: true });
    await expect(createSettlementChain({ publicClient: offline, walletClient: env.wallets[0], deposits }).latestBlock()).rejects.toMatchObject({ retryable: true });
  });
});
