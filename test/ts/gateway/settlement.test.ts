import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAddress, zeroAddress, type Hex } from "viem";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import type { Ledger } from "../../../gateway/src/ledger/types.js";
import { settlePending, ALREADY_SETTLED_TX } from "../../../gateway/src/settlement/settlePending.js";
import { syncChainEvents } from "../../../gateway/src/settlement/syncChainEvents.js";
import { startSettlementLoop } from "../../../gateway/src/settlement/startSettlementLoop.js";
import { GatewayChainError } from "../../../gateway/src/chain/errors.js";
import type { DebitRecord, DepositRecord, PreparedSend, SendOptions, SettlementBatch, SettlementChain, WithdrawalEventRecord } from "../../../gateway/src/types.js";
import { bumpFee } from "../../../gateway/src/chain/prepareSend.js";

/**
 * settlePending and syncChainEvents against a recording SettlementChain double that keeps the
 * contract's rules that matter here: a batch id settles once, a debit needs the payer's balance
 * (else the whole batch reverts with `InsufficientDeposit`, as GatewayDeposits does), and each
 * debit is a `Charged` event. The real chain is exercised in settlementCrash.test.ts and
 * chainWithdrawals.test.ts.
 */
const P1 = getAddress("0x1111111111111111111111111111111111111111");
const P2 = getAddress("0x2222222222222222222222222222222222222222");
const ETH = zeroAddress;

function fakeChain() {
  const settled = new Map<Hex, SettlementBatch>();
  const sent: SettlementBatch[] = [];
  const deposits: DepositRecord[] = [];
  const withdrawals: WithdrawalEventRecord[] = [];
  const debits: DebitRecord[] = [];
  const balances = new Map<string, bigint>();
  const ranges: { fromBlock: bigint; toBlock: bigint }[] = [];
  // Nonces: `nonce` is the settler's next unmined one. While `stall` is set, a broadcast
  // transaction waits in `mempool` (one per nonce, the last replacement wins) until `mine()`.
  const mempool = new Map<number, { send: PreparedSend; batch: SettlementBatch | null }>();
  const broadcasts: PreparedSend[] = [];
  const succeeded = new Set<Hex>();
  let stall = false;
  let nonce = 0;
  let latest = 0n;
  let n = 0;
  const shortPayer = (b: SettlementBatch) => b.debits.find((d) => (balances.get(d.payer) ?? 0n) < d.amount);
  const insufficient = (b: SettlementBatch, d: SettlementBatch["debits"][number]) =>
    new GatewayChainError(`settling batch ${b.batchId} reverted: InsufficientDeposit`, { retryable: false, revert: { errorName: "InsufficientDeposit", args: [d.payer, b.asset, balances.get(d.payer) ?? 0n, d.amount] } });
  /** What the contract does when a settle is mined: the batch settles once, each debit leaves its payer's deposit. */
  const apply = (b: SettlementBatch) => {
    settled.set(b.batchId, b);
    sent.push(b);
    n += 1;
    b.debits.forEach((d, i) => {
      balances.set(d.payer, balances.get(d.payer)! - d.amount);
      debits.push({ eventId: `0x${n.toString(16)}:${i}`, batchId: b.batchId, payer: d.payer, asset: b.asset, amount: d.amount, blockNumber: latest });
    });
  };
  /** Broadcast a send (after recording it, as the viem adapter does); mined at once unless `stall`. */
  const broadcast = (base: Pick<PreparedSend, "batchId" | "kind">, batch: SettlementBatch | null, o: SendOptions | undefined) => {
    const r = o?.replacing;
    const send: PreparedSend = { ...base, nonce: r ? r.nonce : nonce, maxFeePerGas: r ? bumpFee(r.maxFeePerGas) : 100n, maxPriorityFeePerGas: r ? bumpFee(r.maxPriorityFeePerGas) : 10n };
    o?.onSend?.(send);
    const txHash: Hex = `0x${(broadcasts.length + 1).toString(16).padStart(64, "0")}`;
    o?.onSend?.({ ...send, txHash });
    broadcasts.push({ ...send, txHash });
    mempool.set(send.nonce, { send: { ...send, txHash }, batch });
    if (stall) throw new GatewayChainError(`transaction ${txHash} was not mined in time`, { retryable: true });
    mine();
    return txHash;
  };
  /** Mine the transaction at the settler's next nonce: a settle that the deposits cover settles its batch, any other reverts; either way the nonce is used. */
  const mine = () => {
    const tx = mempool.get(nonce);
    if (!tx) return;
    mempool.delete(nonce);
    nonce += 1;
    if (!tx.batch) succeeded.add(tx.send.txHash!);
    else if (!settled.has(tx.batch.batchId) && !shortPayer(tx.batch)) (apply(tx.batch), succeeded.add(tx.send.txHash!));
  };
  const clock = { now: 0 };
  const chain: SettlementChain = {
    readDeposits: async (r) => (ranges.push(r), deposits.filter((d) => d.blockNumber >= r.fromBlock && d.blockNumber <= r.toBlock)),
    readWithdrawalEvents: async (r) => withdrawals.filter((d) => d.blockNumber >= r.fromBlock && d.blockNumber <= r.toBlock),
    readDebits: async (r) => debits.filter((d) => d.blockNumber >= r.fromBlock && d.blockNumber <= r.toBlock),
    latestBlock: async () => latest,
    isBatchSettled: async (id) => settled.has(id),
    hasPendingTransactions: async () => mempool.size > 0,
    latestNonce: async () => nonce,
    findSuccessfulTransaction: async (hashes) => hashes.find((h) => succeeded.has(h)),
    settleBatch: async (b, o) => {
      if (settled.has(b.batchId)) return { status: "already-settled" };
      const short = shortPayer(b);
      if (short) throw insufficient(b, short);
      const txHash = broadcast({ batchId: b.batchId, kind: "settle" }, b, o);
      return settled.has(b.batchId) ? { status: "settled", txHash, gasUsed: 100n, blockNumber: latest } : { status: "already-settled" };
    },
    cancelSend: async (replacing, o) => void broadcast({ batchId: replacing.batchId, kind: "cancel" }, null, { ...o, replacing }),
  };
  /** A deposit on the chain: the payer's balance, and the event the ledger will read at `blockNumber`. */
  const deposit = (payer: typeof P1, amount: bigint, blockNumber: bigint) => {
    balances.set(payer, (balances.get(payer) ?? 0n) + amount);
    deposits.push({ depositId: `0xd${deposits.length}:0`, payer, asset: ETH, amount, blockNumber });
  };
  /** A withdrawal on the chain (requested and paid out; the ledger reads only the payout here). */
  const withdraw = (payer: typeof P1, amount: bigint, blockNumber: bigint) => {
    balances.set(payer, (balances.get(payer) ?? 0n) - amount);
    withdrawals.push({ eventId: `0xw${withdrawals.length}:0`, kind: "withdrawn", payer, asset: ETH, amount, blockNumber, logIndex: 0 });
  };
  return { chain, settled, sent, deposits, withdrawals, debits, balances, ranges, deposit, withdraw, setLatest: (b: bigint) => (latest = b), mempool, broadcasts, mine, clock, setStall: (v: boolean) => (stall = v), nonce: () => nonce };
}

let ledger: Ledger;
let f: ReturnType<typeof fakeChain>;
beforeEach(() => {
  ledger = openLedger({ path: ":memory:" });
  f = fakeChain();
});
afterEach(() => ledger.close());

const charge = (amount: bigint, ingotId = 1n, payer = P1) => {
  const r = ledger.reserve({ payer, asset: ETH, ingotId, amount });
  return ledger.commitCharge({ reservationId: r, amount, promptTokens: 1, completionTokens: 1 });
};

describe("syncChainEvents", () => {
  it("syncChainEvents_readsFromCursorPlusOneToLatest_andRecordsOnce", async () => {
    f.deposits.push({ depositId: "0xa:0", payer: P1, asset: ETH, amount: 100n, blockNumber: 3n });
    f.setLatest(5n);
    expect(await syncChainEvents({ ledger, chain: f.chain })).toMatchObject({ fromBlock: 0n, toBlock: 5n, deposits: 1 });
    f.deposits.push({ depositId: "0xb:0", payer: P1, asset: ETH, amount: 7n, blockNumber: 6n });
    f.withdrawals.push({ eventId: "0xc:0", kind: "requested", payer: P1, asset: ETH, amount: 10n, blockNumber: 6n, logIndex: 0 });
    f.setLatest(8n);
    expect(await syncChainEvents({ ledger, chain: f.chain })).toMatchObject({ fromBlock: 6n, toBlock: 8n, deposits: 1, withdrawals: 1 });
    expect(await syncChainEvents({ ledger, chain: f.chain })).toMatchObject({ deposits: 0, withdrawals: 0 });
    expect(f.ranges).toEqual([{ fromBlock: 0n, toBlock: 5n }, { fromBlock: 6n, toBlock: 8n }]);
    expect(ledger.availableCredit(P1, ETH)).toBe(97n);
  });

  it("syncChainEvents_onAFreshLedger_countsWhatEarlierSettlementsTookFromThePayer", async () => {
    f.deposit(P1, 100n, 1n);
    f.setLatest(1n);
    await syncChainEvents({ ledger, chain: f.chain });
    charge(30n);
    charge(12n);
    f.setLatest(2n);
    await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 });
    // This ledger's own debits are its charges, already counted.
    expect(await syncChainEvents({ ledger, chain: f.chain })).toMatchObject({ debitsElsewhere: 0 });
    expect(ledger.availableCredit(P1, ETH)).toBe(58n);

    // The file is lost; a fresh ledger resyncs from block 0 and must not hand the 42 out again.
    const fresh = openLedger({ path: ":memory:" });
    try {
      expect(await syncChainEvents({ ledger: fresh, chain: f.chain })).toMatchObject({ deposits: 1, debitsElsewhere: 1 });
      expect(fresh.availableCredit(P1, ETH)).toBe(f.balances.get(P1));
      expect(fresh.totals(ETH)).toMatchObject({ deposited: 100n, charged: 0n, debitedElsewhere: 42n });
    } finally {
      fresh.close();
    }
  });
});

describe("settlePending", () => {
  beforeEach(async () => {
    f.deposit(P1, 10n ** 24n, 1n);
    f.setLatest(1n);
    await syncChainEvents({ ledger, chain: f.chain });
  });

  it("settlePending_settlesAllChargesInBatchesOfMaxCharges_andMarksThem", async () => {
    const charges = [1n, 2n, 3n, 4n, 5n].map((a) => charge(a, a % 2n));
    const s = await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 2 });
    expect(s).toMatchObject({ batches: 3, charges: 5, gasUsed: 300n, alreadySettled: 0 });
    expect(f.sent.flatMap((b) => b.chargeIds)).toEqual(charges.map((c) => c.chargeId));
    expect(f.sent.reduce((t, b) => t + b.credits.reduce((u, c) => u + c.amount, 0n), 0n)).toBe(15n);
    for (const c of charges) expect(ledger.getCharge(c.chargeId)!.settlement?.txHash).toMatch(/^0x0{60}/);
    expect(await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 2 })).toMatchObject({ batches: 0, charges: 0 });
  });

  it("settlePending_whenPendingBatchAlreadyOnChain_marksItWithoutSending", async () => {
    charge(9n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    await f.chain.settleBatch(batch); // a process that died after its transaction was mined
    f.sent.length = 0;
    const s = await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 });
    expect(s).toMatchObject({ batches: 1, charges: 1, alreadySettled: 1, gasUsed: 0n });
    expect(f.sent).toEqual([]);
    expect(ledger.pendingBatches()).toEqual([]);
    expect(ledger.getCharge(batch.chargeIds[0])!.settlement).toEqual({ batchId: batch.batchId, txHash: ALREADY_SETTLED_TX });
  });

  it("settlePending_whenPendingBatchNotOnChain_resendsTheSameBatchId", async () => {
    charge(9n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    const s = await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 });
    expect(s).toMatchObject({ batches: 1, alreadySettled: 0 });
    expect(f.sent.map((b) => b.batchId)).toEqual([batch.batchId]);
  });

  it("settlePending_whenAPayerWithdrewWhatTheirChargesNeed_defersThoseAndSettlesEveryoneElse", async () => {
    f.deposit(P2, 100n, 2n);
    f.setLatest(2n);
    await syncChainEvents({ ledger, chain: f.chain });
    const owed = [charge(60n, 1n, P2), charge(5n, 1n), charge(30n, 2n, P2), charge(9n, 2n)];
    // P2 withdraws 50 while the gateway has not settled (it was down past the withdrawal delay).
    f.withdraw(P2, 50n, 3n);
    f.setLatest(3n);
    await syncChainEvents({ ledger, chain: f.chain });
    const pass = await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 });
    // P2 has 50: their 30 fits, their 60 waits. P1's charges are settled in the same pass.
    expect(pass.refusals).toEqual([{ batchId: expect.any(String), payer: P2, balance: 50n, debit: 90n, deferredChargeIds: [owed[0].chargeId], deferredAmount: 60n }]);
    expect(pass).toMatchObject({ batches: 1, charges: 3 });
    expect(f.sent[0].debits).toEqual([{ payer: P1, amount: 14n }, { payer: P2, amount: 30n }]);
    expect(f.balances.get(P2)).toBe(20n);
    expect(ledger.pendingBatches()).toEqual([]);
    expect(ledger.availableCredit(P2, ETH)).toBe(-40n); // owes 60 with 20 left: no more calls until they pay
    expect(await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 })).toMatchObject({ batches: 0, refusals: [] });

    // P2 deposits again: the deferred charge is settled from it.
    f.deposit(P2, 45n, 4n);
    f.setLatest(4n);
    await syncChainEvents({ ledger, chain: f.chain });
    expect(await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 })).toMatchObject({ batches: 1, charges: 1, refusals: [] });
    expect(f.balances.get(P2)).toBe(5n);
    expect(ledger.availableCredit(P2, ETH)).toBe(5n);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 104n, settled: 104n, deferred: 0n });
  });

  it("settlePending_whenAShortPayersBatchMayStillBeInTheMempool_keepsItPendingUntilNothingIs", async () => {
    f.deposit(P2, 10n, 2n);
    f.setLatest(2n);
    await syncChainEvents({ ledger, chain: f.chain });
    charge(8n, 1n, P2);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!; // created by a process that died after sending it, maybe
    f.withdraw(P2, 5n, 3n);
    let pending = true;
    const chain = { ...f.chain, hasPendingTransactions: async () => pending };
    await expect(settlePending({ ledger, chain, asset: ETH, maxCharges: 10 })).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/not yet mined/) });
    expect(ledger.pendingBatches().map((b) => b.batchId)).toEqual([batch.batchId]);
    expect(ledger.totals(ETH).deferred).toBe(0n);
    pending = false;
    expect((await settlePending({ ledger, chain, asset: ETH, maxCharges: 10 })).refusals).toHaveLength(1);
    expect(ledger.totals(ETH).deferred).toBe(8n);
  });

  it("settlePending_whileTheSettlerHasATransactionNotYetMined_sendsNoBatch_andFindsItsBatchSettledOnceMined", async () => {
    f.deposit(P1, 100n, 1n);
    f.setLatest(1n);
    await syncChainEvents({ ledger, chain: f.chain });
    charge(9n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!; // sent by a process that died before its receipt
    charge(4n); // a charge made since: not batched while the first transaction is in flight
    let pending = true;
    const chain = { ...f.chain, hasPendingTransactions: async () => pending };
    await expect(settlePending({ ledger, chain, asset: ETH, maxCharges: 10 })).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/not yet mined/) });
    expect(f.sent).toEqual([]);
    expect(ledger.pendingBatches().map((b) => b.batchId)).toEqual([batch.batchId]);
    // The dead process's transaction is mined: the chain settled the batch.
    f.settled.set(batch.batchId, batch);
    pending = false;
    expect(await settlePending({ ledger, chain, asset: ETH, maxCharges: 10 })).toMatchObject({ batches: 2, charges: 2, alreadySettled: 1 });
    expect(f.sent.map((b) => b.chargeIds.length)).toEqual([1]);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 13n, settled: 13n });
  });

  it("settlePending_whenTheChainRefusesABatchForAnotherReason_throwsAndKeepsItPending", async () => {
    charge(9n);
    const refusing = { ...f.chain, settleBatch: async () => { throw new GatewayChainError("reverted: SettlementUnbalanced(1, 2)", { retryable: false, revert: { errorName: "SettlementUnbalanced", args: [1n, 2n] } }); } };
    await expect(settlePending({ ledger, chain: refusing, asset: ETH, maxCharges: 10 })).rejects.toThrow(/SettlementUnbalanced/);
    expect(ledger.pendingBatches()).toHaveLength(1);
    expect(ledger.totals(ETH).deferred).toBe(0n);
  });

  it("settlePending_whenChainFails_keepsTheBatchPendingForTheNextPass", async () => {
    charge(9n);
    const failing = { ...f.chain, settleBatch: async () => { throw new Error("rpc down"); } };
    await expect(settlePending({ ledger, chain: failing, asset: ETH, maxCharges: 10 })).rejects.toThrow(/rpc down/);
    expect(ledger.pendingBatches()).toHaveLength(1);
    expect(await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 })).toMatchObject({ batches: 1, charges: 1 });
  });
});

describe("settlePending holding small charges back (hold)", () => {
  const hold = { minAmount: 10n, maxDelayMs: 60_000 };
  beforeEach(async () => {
    f.deposit(P1, 1000n, 1n);
    f.deposit(P2, 1000n, 1n);
    f.setLatest(1n);
    await syncChainEvents({ ledger, chain: f.chain });
  });
  const round = (now: number, maxCharges = 10) => settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges, hold, now: () => now });

  it("settlePending_underHold_leavesChargesBelowMinAmountUnbatched_untilTheOldestIsMaxDelayOld", async () => {
    const first = charge(3n);
    charge(4n, 2n, P2);
    const dueAtMs = Date.parse(first.createdAt) + hold.maxDelayMs;
    expect(await round(dueAtMs - 1)).toMatchObject({ batches: 0, held: { charges: 2, amount: 7n, dueAtMs } });
    expect(f.sent).toEqual([]);
    expect(ledger.pendingBatches()).toEqual([]);
    const due = await round(dueAtMs);
    expect(due).toMatchObject({ batches: 1, charges: 2, held: null });
    expect(ledger.totals(ETH)).toMatchObject({ charged: 7n, settled: 7n });
  });

  it("settlePending_underHold_settlesOnceTheBacklogReachesMinAmount_andHoldsOnlyARemainderBelowIt", async () => {
    const c = [charge(4n), charge(5n, 1n, P2)];
    const now = Date.parse(c[0].createdAt) + 1000;
    expect(await round(now)).toMatchObject({ batches: 0, held: { charges: 2, amount: 9n } });
    c.push(charge(1n), charge(6n, 2n, P2));
    // 16 waiting, in batches of 2: the oldest two (9) go; the 7 left are under the minimum and wait.
    expect(await round(now, 2)).toMatchObject({ batches: 1, charges: 2, held: { charges: 2, amount: 7n } });
    c.push(charge(5n), charge(5n), charge(3n));
    // 20 waiting: a full batch goes even when it carries less than the minimum (7), then 13 are left, so 10 go; 3 wait.
    expect(await round(now, 2)).toMatchObject({ batches: 2, charges: 4, held: { charges: 1, amount: 3n } });
    expect(f.sent.map((b) => b.chargeIds)).toEqual([[c[0], c[1]], [c[2], c[3]], [c[4], c[5]]].map((b) => b.map((x) => x.chargeId)));
  });

  it("settlePending_underHold_neverHoldsTheChargesOfAPayerWhoAskedToWithdraw", async () => {
    const c = charge(2n, 1n, P2);
    charge(1n);
    const now = Date.parse(c.createdAt) + 1000;
    expect(await round(now)).toMatchObject({ batches: 0, held: { charges: 2 } });
    // P2 asks to withdraw: their charge must be settled before the request matures, and P1's goes with it.
    f.withdrawals.push({ eventId: "0xr:0", kind: "requested", payer: P2, asset: ETH, amount: 500n, blockNumber: 2n, logIndex: 0 });
    f.setLatest(2n);
    await syncChainEvents({ ledger, chain: f.chain });
    expect(await round(now)).toMatchObject({ batches: 1, charges: 2, held: null });
    expect(f.sent[0].debits).toEqual([{ payer: P1, amount: 1n }, { payer: P2, amount: 2n }]);
  });
});

describe("settlePending when a settlement transaction is not mined", () => {
  const REPLACE_AFTER = 60_000;
  const round = () => settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10, replaceAfterMs: REPLACE_AFTER, now: () => f.clock.now });
  beforeEach(async () => {
    f.deposit(P1, 100n, 1n);
    f.setLatest(1n);
    await syncChainEvents({ ledger, chain: f.chain });
  });

  it("settlePending_recordsEachSendBeforeItsBroadcast_andWaitsForAnUnminedOneUntilReplaceAfter", async () => {
    charge(9n);
    f.setStall(true);
    await expect(round()).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/not mined in time/) });
    const [batch] = ledger.pendingBatches();
    expect(ledger.settlementSends(batch.batchId)).toEqual([{ batchId: batch.batchId, kind: "settle", nonce: 0, maxFeePerGas: 100n, maxPriorityFeePerGas: 10n, sentAtMs: 0, txHash: f.broadcasts[0].txHash }]);
    f.clock.now = REPLACE_AFTER - 1;
    await expect(round()).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/nonce 0\) is not mined yet; it is replaced with higher fees if it still is not in 1 s/) });
    expect(f.broadcasts).toHaveLength(1);
    charge(4n); // not batched while the first is in flight
    await expect(round()).rejects.toMatchObject({ retryable: true });
    expect(ledger.pendingBatches()).toHaveLength(1);
  });

  it("settlePending_afterReplaceAfter_replacesTheStuckTransactionAtItsNonceWithHigherFees_andSettlesOnce", async () => {
    charge(9n);
    f.setStall(true);
    await expect(round()).rejects.toMatchObject({ retryable: true });
    f.clock.now = REPLACE_AFTER;
    f.setStall(false);
    const s = await round();
    expect(s).toMatchObject({ batches: 1, charges: 1, alreadySettled: 0, txHashes: [f.broadcasts[1].txHash] });
    expect(f.broadcasts.map((b) => [b.kind, b.nonce, b.maxFeePerGas, b.maxPriorityFeePerGas])).toEqual([["settle", 0, 100n, 10n], ["settle", 0, 113n, 12n]]);
    expect(f.nonce()).toBe(1);
    expect(f.sent).toHaveLength(1);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 9n, settled: 9n });
    expect(f.balances.get(P1)).toBe(91n);
  });

  it("settlePending_whenAnEarlierNonceThanItsTransactionsIsUnmined_waitsWithoutRaisingItsFees", async () => {
    charge(9n);
    f.setStall(true);
    await expect(round()).rejects.toMatchObject({ retryable: true });
    // Seen from a node where nonce 0 is held by a transaction of the settler this ledger never sent.
    const [batch] = ledger.pendingBatches();
    ledger.recordSettlementSend({ ...ledger.settlementSends(batch.batchId)[0], nonce: 1, sentAtMs: 0 });
    f.clock.now = 10 * REPLACE_AFTER;
    await expect(round()).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/has nonce 1, but the settler's nonce 0 is not mined yet/) });
    expect(f.broadcasts).toHaveLength(1);
  });

  it("settlePending_inAnotherAsset_sendsNoBatchWhileOneOfAnyAssetHasAnOpenTransaction", async () => {
    const TOKEN = getAddress("0x7777777777777777777777777777777777777777");
    f.deposits.push({ depositId: "0xt:0", payer: P1, asset: TOKEN, amount: 100n, blockNumber: 2n });
    f.setLatest(2n);
    await syncChainEvents({ ledger, chain: f.chain });
    charge(9n);
    const r = ledger.reserve({ payer: P1, asset: TOKEN, ingotId: 1n, amount: 5n });
    ledger.commitCharge({ reservationId: r, amount: 5n, promptTokens: 1, completionTokens: 1 });
    f.setStall(true);
    await expect(round()).rejects.toMatchObject({ retryable: true });
    f.setStall(false);
    // A node whose pending nonce skips a transaction stuck under the base fee (EDR does) would
    // hand the token batch that nonce; the ledger's own record stops it.
    const chain = { ...f.chain, hasPendingTransactions: async () => false };
    await expect(settlePending({ ledger, chain, asset: TOKEN, maxCharges: 10, replaceAfterMs: REPLACE_AFTER, now: () => f.clock.now })).rejects.toMatchObject({
      retryable: true,
      message: expect.stringMatching(/has a transaction not yet mined; this one is sent once that one is mined or replaced/),
    });
    expect(f.broadcasts).toHaveLength(1);
    f.mine();
    expect(await settlePending({ ledger, chain, asset: TOKEN, maxCharges: 10, replaceAfterMs: REPLACE_AFTER, now: () => f.clock.now })).toMatchObject({ batches: 1, charges: 1 });
    expect(f.broadcasts.map((b) => b.nonce)).toEqual([0, 1]);
  });

  it("settlePending_whenTheStuckTransactionIsMinedAfterAll_marksItsBatchSettledAndSendsNothingMore", async () => {
    charge(9n);
    f.setStall(true);
    await expect(round()).rejects.toMatchObject({ retryable: true });
    const [batch] = ledger.pendingBatches();
    f.mine();
    f.clock.now = 10 * REPLACE_AFTER;
    expect(await round()).toMatchObject({ batches: 1, alreadySettled: 1, txHashes: [] });
    expect(f.broadcasts).toHaveLength(1);
    // Marked with the recorded send that settled it.
    expect(ledger.getCharge(batch.chargeIds[0])!.settlement).toEqual({ batchId: batch.batchId, txHash: f.broadcasts[0].txHash });
    expect(ledger.totals(ETH)).toMatchObject({ charged: 9n, settled: 9n });
  });

  it("settlePending_whenAPayerWithdrewWhileTheirBatchWasStuck_takesItsNonceFirst_andDissolvesTheBatchOnlyOnceThatIsMined", async () => {
    charge(60n);
    f.setStall(true);
    await expect(round()).rejects.toMatchObject({ retryable: true });
    const [batch] = ledger.pendingBatches();
    f.withdraw(P1, 50n, 2n); // 50 left: the batch's debit of 60 no longer fits
    f.clock.now = REPLACE_AFTER;
    // The replacement is refused, so a cancel takes nonce 0; it is not mined yet, and until it
    // is, the stuck settle could still land: the batch must not be dissolved.
    await expect(round()).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/not mined in time/) });
    expect(f.broadcasts.map((b) => [b.kind, b.nonce])).toEqual([["settle", 0], ["cancel", 0]]);
    expect(ledger.pendingBatches().map((b) => b.batchId)).toEqual([batch.batchId]);
    expect(ledger.settlementSends(batch.batchId).at(-1)).toMatchObject({ kind: "cancel", nonce: 0, maxFeePerGas: 113n });
    expect(ledger.totals(ETH).deferred).toBe(0n);
    f.clock.now += 1;
    await expect(round()).rejects.toMatchObject({ message: expect.stringMatching(/cancel transaction .* \(nonce 0\) is not mined yet/) });
    f.mine(); // the cancel: nonce 0 is used and the settle can never be mined
    const s = await round();
    expect(s.refusals).toMatchObject([{ batchId: batch.batchId, payer: P1, balance: 50n, debit: 60n }]);
    expect(f.sent).toEqual([]);
    expect(f.nonce()).toBe(1);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 60n, settled: 0n, deferred: 60n });
    expect(ledger.settlementSends(batch.batchId)).toEqual([]);
  });

  it("settlePending_whenTheRefusedBatchsCancelIsMinedAtOnce_dissolvesItInTheSameRound", async () => {
    charge(60n);
    f.setStall(true);
    await expect(round()).rejects.toMatchObject({ retryable: true });
    f.withdraw(P1, 50n, 2n);
    f.clock.now = REPLACE_AFTER;
    f.setStall(false);
    const s = await round();
    expect(f.broadcasts.map((b) => [b.kind, b.nonce])).toEqual([["settle", 0], ["cancel", 0]]);
    expect(s.refusals).toHaveLength(1);
    expect(ledger.totals(ETH)).toMatchObject({ settled: 0n, deferred: 60n });
  });
});

describe("startSettlementLoop", () => {
  it("startSettlementLoop_onANeverSyncedLedger_readsFromStartBlock", async () => {
    f.setLatest(9n);
    const controller = new AbortController();
    const logger = { info: () => controller.abort(), warn: () => {}, error: () => {} };
    f.deposit(P1, 5n, 8n);
    await startSettlementLoop({ ledger, chain: f.chain, assets: [ETH], maxCharges: 10, intervalMs: 1, startBlock: 7n, signal: controller.signal, logger: logger as never });
    expect(f.ranges[0]).toEqual({ fromBlock: 7n, toBlock: 9n });
    expect(ledger.syncCursor()).toBe(9n);
  });

  it("startSettlementLoop_syncsAndSettles_thenStopsOnAbort", async () => {
    f.deposit(P1, 100n, 1n);
    f.setLatest(1n);
    const controller = new AbortController();
    const logs: string[] = [];
    const logger = {
      info: (_o: unknown, msg: string) => { logs.push(msg); if (msg === "charges settled") controller.abort(); },
      warn: () => {},
      error: (_o: unknown, msg: string) => logs.push(msg),
    };
    // Credit only exists after the loop's first sync; charge from inside the first log line.
    const origInfo = logger.info;
    logger.info = (o: unknown, msg: string) => { origInfo(o, msg); if (msg === "chain events recorded") charge(40n); };
    await startSettlementLoop({ ledger, chain: f.chain, assets: [ETH], maxCharges: 10, intervalMs: 1, signal: controller.signal, logger: logger as never });
    expect(logs).toEqual(["chain events recorded", "charges settled"]);
    expect(f.ranges[0].fromBlock).toBe(0n);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 40n, settled: 40n });
  });
});

describe("startSettlementLoop logging", () => {
  beforeEach(async () => {
    f.deposit(P1, 100n, 1n);
    f.setLatest(1n);
    await syncChainEvents({ ledger, chain: f.chain });
  });

  it("startSettlementLoop_logsAWaitForATransactionAsAWarning_andAContractRefusalAsAnError", async () => {
    charge(40n);
    const controller = new AbortController();
    const logs: string[] = [];
    const logger = {
      info: () => {},
      warn: (_o: unknown, msg: string) => logs.push(`warn: ${msg}`),
      error: (_o: unknown, msg: string) => (logs.push(`error: ${msg}`), controller.abort()),
    };
    let calls = 0;
    const chain = {
      ...f.chain,
      settleBatch: async () => {
        calls += 1;
        if (calls === 1) throw new GatewayChainError("not mined in time", { retryable: true });
        throw new GatewayChainError("reverted: SettlementUnbalanced(1, 2)", { retryable: false, revert: { errorName: "SettlementUnbalanced", args: [1n, 2n] } });
      },
    };
    await startSettlementLoop({ ledger, chain, assets: [ETH], maxCharges: 10, intervalMs: 1, signal: controller.signal, logger: logger as never });
    expect(logs).toEqual(["warn: settlement round stopped early; retrying next round", "error: settlement round failed; retrying next round"]);
  });

  it("startSettlementLoop_logsHeldChargesOnceForEachChangeInWhatIsHeld_andSettlesThemWhenTheyReachTheMinimum", async () => {
    charge(4n);
    const controller = new AbortController();
    const held: string[] = [];
    let rounds = 0;
    const logger = {
      info: (o: { charges?: number; amount?: string }, msg: string) => void (msg.startsWith("charges wait") && held.push(`${o.charges}:${o.amount}`)),
      warn: () => {},
      error: () => {},
    };
    // Each round reads the chain's events first: a charge comes in on rounds 3 and 5, and the sixth ends the loop.
    const chain = {
      ...f.chain,
      latestBlock: async () => {
        rounds += 1;
        if (rounds === 3) charge(3n);
        if (rounds === 5) charge(5n);
        if (rounds === 6) controller.abort();
        return 1n;
      },
    };
    await startSettlementLoop({ ledger, chain, assets: [ETH], maxCharges: 10, hold: { minAmount: 10n, maxDelayMs: 3_600_000 }, intervalMs: 1, signal: controller.signal, logger: logger as never });
    expect(held).toEqual(["1:4", "2:7"]);
    expect(f.sent.map((b) => b.chargeIds.length)).toEqual([3]);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 12n, settled: 12n });
  });
});

describe("money is conserved through refusals, deferrals and stuck transactions", () => {
  // A seeded walk over what payers and the gateway do, in any order: deposit, serve, withdraw on
  // chain without the gateway seeing it first (as when it is down), sync, settle, while the
  // settler's transactions are sometimes left unmined (then mined late, replaced, or cancelled).
  // After every sync the ledger must agree with the chain, and every charge is either settled
  // once or still owed.
  const PAYERS = [P1, P2, getAddress("0x4444444444444444444444444444444444444444")];
  const REPLACE_AFTER = 1000;
  const refusalsPerSeed: number[] = [];
  const replacementsPerSeed: number[] = [];
  const cancelsPerSeed: number[] = [];
  const heldPerSeed: number[] = [];

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${seed}: every wei served is settled exactly once or still owed, and the ledger's credit is what the chain holds less what is owed`, async () => {
      // mulberry32: a small seeded generator whose low bits are as good as its high ones.
      let state = seed;
      const rand = (n: number) => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) % n;
      };
      let block = 1n;
      const owedOnChain = () => {
        const owed = new Map<string, bigint>();
        for (const c of served) if (!ledger.getCharge(c.chargeId)!.settlement) owed.set(c.payer, (owed.get(c.payer) ?? 0n) + c.amount);
        return owed;
      };
      const paidIn = () => f.sent.reduce((t, b) => t + b.credits.reduce((u, c) => u + c.amount, 0n), 0n);
      const expectConserved = () => {
        const owed = owedOnChain();
        for (const payer of PAYERS) {
          expect(ledger.availableCredit(payer, ETH), payer).toBe((f.balances.get(payer) ?? 0n) - (owed.get(payer) ?? 0n));
        }
        const t = ledger.totals(ETH);
        expect(t.settled).toBe(paidIn());
        expect(t.charged).toBe(served.reduce((x, c) => x + c.amount, 0n));
        expect(t.reserved).toBe(0n);
        // Each charge in at most one batch sent on chain.
        const sentIds = f.sent.flatMap((b) => b.chargeIds);
        expect(new Set(sentIds).size).toBe(sentIds.length);
      };
      const served: { chargeId: string; payer: string; amount: bigint }[] = [];
      let refusals = 0;

      // Even seeds hold small charges back. The ledger dates charges by the wall clock, so the
      // walk's clock starts there.
      const start = Date.now();
      const now = () => start + f.clock.now;
      const hold = seed % 2 === 0 ? { minAmount: 100n, maxDelayMs: 2 * REPLACE_AFTER } : undefined;
      let held = 0;
      const settleRound = async (maxCharges: number) => {
        try {
          const pass = await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges, replaceAfterMs: REPLACE_AFTER, ...(hold ? { hold } : {}), now });
          if (pass.held) held += 1;
          return pass.refusals.length;
        } catch (error) {
          // Waiting for a transaction, or one not mined in time: the next round goes on.
          if (!(error instanceof GatewayChainError && error.retryable)) throw error;
          return 0;
        }
      };

      for (let step = 0; step < 400; step++) {
        const payer = PAYERS[rand(PAYERS.length)];
        switch (rand(7)) {
          case 6:
            f.setStall(rand(2) === 0);
            break;
          case 0:
            f.deposit(payer, BigInt(1 + rand(100)), (block += 1n));
            break;
          case 1:
          case 2: {
            const amount = BigInt(1 + rand(40));
            if (ledger.availableCredit(payer, ETH) >= amount) served.push({ ...charge(amount, BigInt(1 + rand(3)), payer), payer });
            break;
          }
          case 3: {
            const balance = f.balances.get(payer) ?? 0n;
            if (balance > 0n) f.withdraw(payer, BigInt(rand(Number(balance)) + 1), (block += 1n));
            break;
          }
          case 4:
            f.setLatest(block);
            await syncChainEvents({ ledger, chain: f.chain });
            expectConserved();
            break;
          default:
            f.clock.now += rand(2) * REPLACE_AFTER;
            if (rand(2) === 0) f.mine();
            refusals += await settleRound(1 + rand(5));
        }
      }
      // The chain mines again; everyone pays what they owe; then everything served is settled, exactly once.
      f.setStall(false);
      f.mine();
      f.clock.now += REPLACE_AFTER;
      refusals += await settleRound(5);
      f.setLatest(block);
      await syncChainEvents({ ledger, chain: f.chain });
      for (const [payer, amount] of owedOnChain()) f.deposit(payer as typeof P1, amount, (block += 1n));
      f.setLatest(block);
      await syncChainEvents({ ledger, chain: f.chain });
      await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 5, replaceAfterMs: REPLACE_AFTER, now });
      await syncChainEvents({ ledger, chain: f.chain });
      expectConserved();
      expect(ledger.totals(ETH)).toMatchObject({ deferred: 0n, settledChargeCount: served.length });
      expect(paidIn()).toBe(served.reduce((x, c) => x + c.amount, 0n));
      expect(served.length).toBeGreaterThan(20);
      refusalsPerSeed.push(refusals);
      replacementsPerSeed.push(f.broadcasts.filter((b, i) => b.kind === "settle" && i > 0 && f.broadcasts[i - 1].nonce === b.nonce).length);
      cancelsPerSeed.push(f.broadcasts.filter((b) => b.kind === "cancel").length);
      if (hold) heldPerSeed.push(held);
    });
  }

  it("the walks above made the chain refuse batches, the settler replace and cancel transactions, and the hold keep charges back (else they would not test those)", () => {
    expect(refusalsPerSeed).toHaveLength(12);
    expect(refusalsPerSeed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(9);
    expect(replacementsPerSeed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(9);
    expect(cancelsPerSeed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
    expect(heldPerSeed).toHaveLength(6);
    expect(heldPerSeed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(4);
  });
});
