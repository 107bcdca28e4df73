import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAddress, zeroAddress } from "viem";
import { createGroupCommit } from "../../../gateway/src/ledger/createGroupCommit.js";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import type { CommitChargeParameters, Ledger } from "../../../gateway/src/ledger/types.js";

const P = getAddress("0x1111111111111111111111111111111111111111");

let dir: string;
let ledger: Ledger;
let groups: number[];
let commit: (call: CommitChargeParameters) => Promise<unknown>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "group-commit-"));
  ledger = openLedger({ path: join(dir, "ledger.db") });
  ledger.recordChainEvents({ deposits: [{ depositId: "d", payer: P, asset: zeroAddress, amount: 10_000n, blockNumber: 1n }], withdrawals: [], toBlock: 1n });
  groups = [];
  // The real ledger, with each commitCharges call's size recorded.
  commit = createGroupCommit({ commitCharges: (calls) => (groups.push(calls.length), ledger.commitCharges(calls)) });
});
afterEach(() => {
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (amount: bigint, chargeId: string): CommitChargeParameters => ({
  reservationId: ledger.reserve({ payer: P, asset: zeroAddress, ingotId: 1n, amount }),
  chargeId,
  amount,
  promptTokens: 1,
  completionTokens: 1,
});

describe("createGroupCommit", () => {
  it("groupCommit_chargesCommittedInOneTurn_shareOneTransaction_andEachGetsItsCharge", async () => {
    const charges = await Promise.all([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n].map((a) => commit(call(a, `chg_${a}`))));
    expect(groups).toEqual([8]);
    expect(charges.map((c) => (c as { chargeId: string }).chargeId)).toEqual(["chg_1", "chg_2", "chg_3", "chg_4", "chg_5", "chg_6", "chg_7", "chg_8"]);
    expect(ledger.totals(zeroAddress)).toMatchObject({ charged: 36n, chargeCount: 8, reserved: 0n });
  });

  it("groupCommit_chargesInLaterTurns_goInTheirOwnTransactions", async () => {
    await commit(call(1n, "chg_1"));
    await commit(call(2n, "chg_2"));
    expect(groups).toEqual([1, 1]);
  });

  it("groupCommit_aFailingCallRejectsAlone_theRestOfItsGroupIsCommitted", async () => {
    const taken = call(5n, "chg_taken");
    await commit(taken);
    const results = await Promise.allSettled([commit(call(1n, "chg_ok")), commit({ ...taken, chargeId: "chg_again" }), commit(call(2n, "chg_ok2"))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: "ReservationNotOpenError" });
    expect(ledger.totals(zeroAddress)).toMatchObject({ charged: 8n, chargeCount: 3 });
  });

  it("groupCommit_whenTheTransactionItselfFails_rejectsEveryCallInTheGroup", async () => {
    const failing = createGroupCommit({ commitCharges: () => { throw new Error("disk full"); } });
    const results = await Promise.allSettled([failing(call(1n, "chg_x")), failing(call(2n, "chg_y"))]);
    expect(results.map((r) => (r.status === "rejected" ? (r.reason as Error).message : "ok"))).toEqual(["disk full", "disk full"]);
  });
});
