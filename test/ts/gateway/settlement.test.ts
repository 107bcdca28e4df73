import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAddress, zeroAddress, type Hex } from "viem";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import type { Ledger } from "../../../gateway/src/ledger/types.js";
import { settlePending, ALREADY_SETTLED_TX } from "../../../gateway/src/settlement/settlePending.js";
import { syncChainEvents } from "../../../gateway/src/settlement/syncChainEvents.js";
import { startSettlementLoop } from "../../../gateway/src/settlement/startSettlementLoop.js";
import type { DepositRecord, SettlementBatch, SettlementChain, WithdrawalEventRecord } from "../../../gateway/src/types.js";

/**
 * settlePending and syncChainEvents against a recording SettlementChain double that keeps the
 * contract's one rule that matters here (a batch id settles once). The real chain is exercised
 * in settlementCrash.test.ts.
 */
const P1 = getAddress("0x1111111111111111111111111111111111111111");
const ETH = zeroAddress;

function fakeChain() {
  const settled = new Map<Hex, SettlementBatch>();
  const sent: SettlementBatch[] = [];
  const deposits: DepositRecord[] = [];
  const withdrawals: WithdrawalEventRecord[] = [];
  const ranges: { fromBlock: bigint; toBlock: bigint }[] = [];
  let latest = 0n;
  let n = 0;
  const chain: SettlementChain = {
    readDeposits: async (r) => (ranges.push(r), deposits.filter((d) => d.blockNumber >= r.fromBlock && d.blockNumber <= r.toBlock)),
    readWithdrawalEvents: async (r) => withdrawals.filter((d) => d.blockNumber >= r.fromBlock && d.blockNumber <= r.toBlock),
    latestBlock: async () => latest,
    isBatchSettled: async (id) => settled.has(id),
    settleBatch: async (b) => {
      if (settled.has(b.batchId)) return { status: "already-settled" };
      settled.set(b.batchId, b);
      sent.push(b);
      n += 1;
      return { status: "settled", txHash: `0x${n.toString(16).padStart(64, "0")}`, gasUsed: 100n, blockNumber: latest };
    },
  };
  return { chain, settled, sent, deposits, withdrawals, ranges, setLatest: (b: bigint) => (latest = b) };
}

let ledger: Ledger;
let f: ReturnType<typeof fakeChain>;
beforeEach(() => {
  ledger = openLedger({ path: ":memory:" });
  f = fakeChain();
});
afterEach(() => ledger.close());

const charge = (amount: bigint, ingotId = 1n) => {
  const r = ledger.reserve({ payer: P1, asset: ETH, ingotId, amount });
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
});

describe("settlePending", () => {
  beforeEach(() => ledger.recordChainEvents({ deposits: [{ depositId: "d", payer: P1, asset: ETH, amount: 10n ** 24n, blockNumber: 1n }], withdrawals: [], toBlock: 1n }));

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

  it("settlePending_whenChainFails_keepsTheBatchPendingForTheNextPass", async () => {
    charge(9n);
    const failing = { ...f.chain, settleBatch: async () => { throw new Error("rpc down"); } };
    await expect(settlePending({ ledger, chain: failing, asset: ETH, maxCharges: 10 })).rejects.toThrow(/rpc down/);
    expect(ledger.pendingBatches()).toHaveLength(1);
    expect(await settlePending({ ledger, chain: f.chain, asset: ETH, maxCharges: 10 })).toMatchObject({ batches: 1, charges: 1 });
  });
});

describe("startSettlementLoop", () => {
  it("startSettlementLoop_syncsAndSettles_thenStopsOnAbort", async () => {
    f.deposits.push({ depositId: "0xa:0", payer: P1, asset: ETH, amount: 100n, blockNumber: 1n });
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
    expect(ledger.totals(ETH)).toMatchObject({ charged: 40n, settled: 40n });
  });
});
