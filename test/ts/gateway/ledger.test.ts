import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAddress, zeroAddress, type Address } from "viem";
import { batchIdOf, openLedger } from "../../../gateway/src/ledger/openLedger.js";
import type { Ledger } from "../../../gateway/src/ledger/types.js";
import { computeCreditFromRows, readCredit, spendable, type CreditTotals } from "../../../gateway/src/ledger/creditTotals.js";
import { MIGRATIONS } from "../../../gateway/src/ledger/schema.js";
import {
  ChargeExceedsReservationError,
  ReservationNotOpenError,
  UnknownBatchError,
  UnknownKeyIdError,
  LedgerSchemaError,
} from "../../../gateway/src/ledger/errors.js";
import { InsufficientCreditError, RateLimitedError, RevokedApiKeyError, UnknownApiKeyError } from "../../../gateway/src/errors.js";
import { runKeysCli } from "../../../gateway/src/cli/keys.js";
import { runSettlementCli } from "../../../gateway/src/cli/settlement.js";
import { runSettlementWait } from "../../../gateway/src/cli/runSettlementWait.js";
import { isMainModule } from "../../../gateway/src/cli/isMainModule.js";

const P1 = getAddress("0x1111111111111111111111111111111111111111");
const P2 = getAddress("0x2222222222222222222222222222222222222222");
const TOKEN = getAddress("0x3333333333333333333333333333333333333333");
const ETH = zeroAddress as Address;
const BIG = 10n ** 30n; // beyond 2^63 and 2^64

let dir: string;
let path: string;
let ledger: Ledger;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-"));
  path = join(dir, "ledger.db");
  ledger = openLedger({ path });
});
afterEach(() => {
  try { ledger.close(); } catch { /* closed by the test */ }
  rmSync(dir, { recursive: true, force: true });
});

const deposit = (id: string, payer: Address, amount: bigint, asset: Address = ETH, blockNumber = 1n) => ({ depositId: id, payer, asset, amount, blockNumber });

/** The ledger's running `credit` rows, read from the file, equal what the rows they summarise add up to. */
function expectCreditMatchesRows(file: string) {
  const db = new DatabaseSync(file, { readOnly: true });
  const q = (sql: string) => db.prepare(sql);
  const rows = new Map<string, CreditTotals>();
  for (const r of q("SELECT payer, asset FROM credit").all() as { payer: string; asset: string }[]) rows.set(`${r.payer}|${r.asset}`, readCredit(q, r.payer, r.asset));
  const recomputed = computeCreditFromRows(q);
  db.close();
  for (const [key, c] of recomputed) expect(rows.get(key), key).toEqual(c);
  for (const [key, c] of rows) if (!recomputed.has(key)) expect(spendable(c), key).toBe(0n);
}

/** A ledger file as a gateway of schema `version` left it: its migrations applied, then `rows` written, plus one committed charge of 30 by P1. */
function writeOldLedger(file: string, version: number, rows: (db: DatabaseSync) => void) {
  const db = new DatabaseSync(file);
  db.exec("CREATE TABLE migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
    db.exec(m.sql);
    db.prepare("INSERT INTO migrations (version, applied_at) VALUES (?, 'then')").run(m.version);
  }
  db.prepare("INSERT INTO deposits VALUES ('0xd:0', ?, ?, '1000', '1')").run(P1, ETH);
  db.prepare("INSERT INTO reservations VALUES ('res_a', ?, ?, '7', '30', 'committed', 'then')").run(P1, ETH);
  db.prepare("INSERT INTO charges (charge_id, reservation_id, payer, asset, ingot_id, amount, prompt_tokens, completion_tokens, created_at) VALUES ('chg_a', 'res_a', ?, ?, '7', '30', 1, 1, 'then')").run(P1, ETH);
  rows(db);
  db.prepare("INSERT INTO sync_cursor VALUES (1, '9')").run();
  db.close();
}

function charge(l: Ledger, payer: Address, ingotId: bigint, amount: bigint, asset: Address = ETH) {
  const r = l.reserve({ payer, asset, ingotId, amount });
  return l.commitCharge({ reservationId: r, amount, promptTokens: 3, completionTokens: 4 });
}

describe("openLedger schema", () => {
  it("openLedger_onFreshFile_usesWalForeignKeysAndRecordsMigrationOnce", () => {
    ledger.close();
    ledger = openLedger({ path }); // reopening applies nothing twice
    const db = new DatabaseSync(path);
    expect((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    expect(db.prepare("SELECT version FROM migrations ORDER BY version").all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    db.close();
  });

  it("openLedger_onAVersion1File_keepsItsData_readsOnlyTheLatestRequest_andResyncsTheChain", () => {
    ledger.close();
    const v1Path = join(dir, "v1.db");
    writeOldLedger(v1Path, 1, (v1) => {
      v1.prepare("INSERT INTO withdrawal_requests VALUES ('0xe:3', ?, ?, '400', '2')").run(P1, ETH);
      v1.prepare("INSERT INTO withdrawal_requests VALUES ('0xf:1', ?, ?, '100', '5')").run(P1, ETH);
      v1.prepare("INSERT INTO reservations VALUES ('res_b', ?, ?, '7', '20', 'open', 'then')").run(P1, ETH);
    });

    ledger = openLedger({ path: v1Path });
    // v1 withheld 400 + 100; the chain holds only the latest request, 100.
    expect(ledger.availableCredit(P1, ETH)).toBe(1000n - 100n - 30n - 20n);
    expect(ledger.getCharge("chg_a")?.amount).toBe(30n);
    // The cursor is gone, so the next sync re-reads the cancels and withdrawals v1 never saw.
    expect(ledger.syncCursor()).toBeNull();
    expect(ledger.recordChainEvents({
      deposits: [deposit("0xd:0", P1, 1000n)],
      withdrawals: [
        { eventId: "0xe:3", kind: "requested", payer: P1, asset: ETH, amount: 400n, blockNumber: 2n, logIndex: 3 },
        { eventId: "0xf:1", kind: "requested", payer: P1, asset: ETH, amount: 100n, blockNumber: 5n, logIndex: 1 },
        { eventId: "0xf:4", kind: "cancelled", payer: P1, asset: ETH, amount: 100n, blockNumber: 7n, logIndex: 4 },
      ],
      toBlock: 9n,
    })).toEqual({ deposits: 0, withdrawals: 1, debitsElsewhere: 0 });
    expect(ledger.availableCredit(P1, ETH)).toBe(1000n - 30n - 20n);
    expectCreditMatchesRows(v1Path);
  });

  it("openLedger_onAVersion2File_keepsItsCredit_andResyncsTheChainForDebitsMadeElsewhere", () => {
    ledger.close();
    const v2Path = join(dir, "v2.db");
    writeOldLedger(v2Path, 2, (v2) => v2.prepare("INSERT INTO credit VALUES (?, ?, '1000', '0', '0', '30', '0', NULL, NULL)").run(P1, ETH));

    ledger = openLedger({ path: v2Path });
    expect(ledger.availableCredit(P1, ETH)).toBe(970n);
    expect(ledger.syncCursor()).toBeNull();
    const foreign = { eventId: "0xf:0", batchId: `0x${"ee".repeat(32)}` as const, payer: P1, asset: ETH, amount: 200n, blockNumber: 4n };
    expect(ledger.recordChainEvents({ deposits: [deposit("0xd:0", P1, 1000n)], withdrawals: [], debits: [foreign], toBlock: 9n })).toEqual({ deposits: 0, withdrawals: 0, debitsElsewhere: 1 });
    expect(ledger.availableCredit(P1, ETH)).toBe(770n);
    expectCreditMatchesRows(v2Path);
  });

  it("openLedger_whenSchemaIsNewer_throwsLedgerSchemaError", () => {
    ledger.close();
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO migrations (version, applied_at) VALUES (99, 'x')").run();
    db.close();
    expect(() => openLedger({ path })).toThrow(LedgerSchemaError);
  });
});

describe("API keys", () => {
  it("createApiKey_storesOnlyTheSha256_andAuthenticateResolvesThePayer", () => {
    const { keyId, apiKey } = ledger.createApiKey({ payer: P1.toLowerCase() as Address, label: "ci" });
    expect(apiKey).toMatch(/^ifk_[A-Za-z0-9_-]{43}$/);
    const fingerprint = createHash("sha256").update(apiKey).digest("hex");
    expect(ledger.authenticate(apiKey)).toEqual({ keyId, payer: P1, fingerprint });
    const db = new DatabaseSync(path);
    const dump = JSON.stringify(db.prepare("SELECT * FROM api_keys").all());
    db.close();
    expect(dump).not.toContain(apiKey);
    expect(dump).toContain(fingerprint);
  });

  it("authenticate_whenKeyUnknown_throwsUnknownApiKeyError", () => {
    ledger.createApiKey({ payer: P1 });
    expect(() => ledger.authenticate("ifk_nope")).toThrow(UnknownApiKeyError);
  });

  it("authenticate_afterRevoke_throwsRevokedApiKeyErrorWithKeyId", () => {
    const { keyId, apiKey } = ledger.createApiKey({ payer: P1 });
    ledger.revokeApiKey(keyId);
    ledger.revokeApiKey(keyId); // idempotent
    const err = (() => { try { ledger.authenticate(apiKey); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(RevokedApiKeyError);
    expect((err as RevokedApiKeyError).keyId).toBe(keyId);
    expect(ledger.listApiKeys()[0].revokedAt).not.toBeNull();
  });

  it("revokeApiKey_whenKeyIdUnknown_throwsUnknownKeyIdError", () => {
    expect(() => ledger.revokeApiKey("key_missing")).toThrow(UnknownKeyIdError);
  });

  it("authenticate_overRateLimit_throwsRateLimitedUntilTheOldestHitLeavesTheMinute", () => {
    const { keyId, apiKey } = ledger.createApiKey({ payer: P1, rateLimitPerMinute: 2 });
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    ledger.authenticate(apiKey, new Date(t0));
    ledger.authenticate(apiKey, new Date(t0 + 10_000));
    const err = (() => { try { ledger.authenticate(apiKey, new Date(t0 + 20_000)); } catch (e) { return e; } })() as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect({ keyId: err.keyId, limit: err.limitPerMinute, retry: err.retryAfterMs }).toEqual({ keyId, limit: 2, retry: 40_000 });
    // the refused request did not count: at t0+60s the first hit has left the window
    expect(ledger.authenticate(apiKey, new Date(t0 + 60_000)).keyId).toBe(keyId);
    expect(() => ledger.authenticate(apiKey, new Date(t0 + 60_001))).toThrow(RateLimitedError);
  });

  it("authenticate_withoutRateLimit_neverLimits", () => {
    const { apiKey } = ledger.createApiKey({ payer: P1 });
    const t = new Date("2026-01-01T00:00:00Z");
    for (let i = 0; i < 200; i++) ledger.authenticate(apiKey, t);
  });

  it("createApiKey_withBadRate_throws", () => {
    expect(() => ledger.createApiKey({ payer: P1, rateLimitPerMinute: 0 })).toThrow(/positive integer/);
  });

  it("listApiKeys_filtersByPayer", () => {
    ledger.createApiKey({ payer: P1, label: "a" });
    ledger.createApiKey({ payer: P2, label: "b" });
    expect(ledger.listApiKeys(P2).map((k) => k.label)).toEqual(["b"]);
    expect(ledger.listApiKeys()).toHaveLength(2);
  });
});

describe("chain events and credit", () => {
  it("recordChainEvents_twice_countsEachDepositOnceAndMovesTheCursor", () => {
    expect(ledger.syncCursor()).toBeNull();
    const events = { deposits: [deposit("0xa:0", P1, BIG), deposit("0xa:1", P1, 5n)], withdrawals: [], toBlock: 10n };
    expect(ledger.recordChainEvents(events)).toEqual({ deposits: 2, withdrawals: 0, debitsElsewhere: 0 });
    expect(ledger.recordChainEvents({ ...events, toBlock: 12n })).toEqual({ deposits: 0, withdrawals: 0, debitsElsewhere: 0 });
    expect(ledger.syncCursor()).toBe(12n);
    expect(ledger.availableCredit(P1, ETH)).toBe(BIG + 5n);
  });

  it("recordChainEvents_whenCursorWouldMoveBack_rollsBackEverything", () => {
    ledger.recordChainEvents({ deposits: [], withdrawals: [], toBlock: 10n });
    expect(() => ledger.recordChainEvents({ deposits: [deposit("0xb:0", P1, 7n)], withdrawals: [], toBlock: 9n })).toThrow(/back/);
    expect(ledger.availableCredit(P1, ETH)).toBe(0n);
    expect(ledger.syncCursor()).toBe(10n);
  });

  it("availableCredit_isDepositsMinusWithdrawalsChargesAndOpenReservations_perAsset", () => {
    ledger.recordChainEvents({
      deposits: [deposit("d1", P1, BIG), deposit("d2", P1, 1000n, TOKEN), deposit("d3", P2, 50n)],
      withdrawals: [{ eventId: "w1", kind: "requested", payer: P1, asset: ETH, amount: 100n, blockNumber: 2n, logIndex: 0 }],
      toBlock: 2n,
    });
    charge(ledger, P1, 1n, 30n);
    const open = ledger.reserve({ payer: P1, asset: ETH, ingotId: 2n, amount: 20n });
    expect(ledger.availableCredit(P1, ETH)).toBe(BIG - 100n - 30n - 20n);
    expect(ledger.availableCredit(P1, TOKEN)).toBe(1000n);
    expect(ledger.availableCredit(P2, ETH)).toBe(50n);
    ledger.releaseReservation(open);
    expect(ledger.availableCredit(P1, ETH)).toBe(BIG - 130n);
  });

  const w = (eventId: string, kind: "requested" | "cancelled" | "withdrawn", amount: bigint, blockNumber: bigint, logIndex = 0, payer: Address = P1) =>
    ({ eventId, kind, payer, asset: ETH, amount, blockNumber, logIndex });

  it("withdrawalRequest_replacesTheEarlierOne_asOnChain", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 1000n)], withdrawals: [w("r1", "requested", 600n, 2n)], toBlock: 2n });
    expect(ledger.availableCredit(P1, ETH)).toBe(400n);
    ledger.recordChainEvents({ deposits: [], withdrawals: [w("r2", "requested", 100n, 3n)], toBlock: 3n });
    expect(ledger.availableCredit(P1, ETH)).toBe(900n);
    expect(ledger.totals(ETH)).toMatchObject({ pendingWithdrawals: 100n, withdrawn: 0n });
  });

  it("withdrawalCancel_freesTheRequestedCredit", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 1000n)], withdrawals: [w("r1", "requested", 600n, 2n), w("c1", "cancelled", 600n, 3n)], toBlock: 3n });
    expect(ledger.availableCredit(P1, ETH)).toBe(1000n);
    expect(ledger.totals(ETH).pendingWithdrawals).toBe(0n);
  });

  it("withdrawn_endsTheRequest_andCountsOnlyWhatWasPaidOut", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 1000n), deposit("d2", P2, 50n)], withdrawals: [w("r1", "requested", 600n, 2n), w("x1", "withdrawn", 250n, 4n)], toBlock: 4n });
    expect(ledger.availableCredit(P1, ETH)).toBe(750n);
    // A withdrawal that paid nothing (settlement had taken the balance) ends the request all the same.
    ledger.recordChainEvents({ deposits: [], withdrawals: [w("r2", "requested", 50n, 5n, 0, P2), w("x2", "withdrawn", 0n, 6n, 0, P2)], toBlock: 6n });
    expect(ledger.availableCredit(P2, ETH)).toBe(50n);
    expect(ledger.totals(ETH)).toMatchObject({ withdrawn: 250n, pendingWithdrawals: 0n });
    expectCreditMatchesRows(path);
  });

  it("withdrawalEvents_givenOutOfOrder_applyInChainOrder_andOnceEach", () => {
    // Block 3: a cancel at log 1 after a request at log 0; then a new request in block 4.
    const events = [w("r2", "requested", 300n, 4n), w("c1", "cancelled", 500n, 3n, 1), w("r1", "requested", 500n, 3n, 0)];
    expect(ledger.recordChainEvents({ deposits: [deposit("d1", P1, 1000n)], withdrawals: events, toBlock: 4n })).toEqual({ deposits: 1, withdrawals: 3, debitsElsewhere: 0 });
    expect(ledger.availableCredit(P1, ETH)).toBe(700n);
    expect(ledger.recordChainEvents({ deposits: [], withdrawals: events, toBlock: 4n })).toEqual({ deposits: 0, withdrawals: 0, debitsElsewhere: 0 });
    expect(ledger.availableCredit(P1, ETH)).toBe(700n);
    // An event older than the last one applied cannot bring back a request.
    ledger.recordChainEvents({ deposits: [], withdrawals: [w("late", "requested", 900n, 2n)], toBlock: 4n });
    expect(ledger.availableCredit(P1, ETH)).toBe(700n);
    expect(() => ledger.recordChainEvents({ deposits: [], withdrawals: [{ ...w("bad", "requested", 1n, 5n), kind: "paid" as never }], toBlock: 5n })).toThrow(/kind/);
    expectCreditMatchesRows(path);
  });

  it("creditRows_equalTheirRecomputationFromTheRows_afterEveryKindOfChange", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, BIG), deposit("d2", P2, 5000n), deposit("d3", P1, 70n, TOKEN)], withdrawals: [w("r1", "requested", 10n, 2n)], toBlock: 2n });
    for (let i = 0; i < 20; i++) {
      const payer = i % 2 === 0 ? P1 : P2;
      const r = ledger.reserve({ payer, asset: ETH, ingotId: BigInt(i % 3), amount: 100n + BigInt(i) });
      if (i % 3 === 0) ledger.releaseReservation(r);
      else if (i % 3 === 1) ledger.commitCharge({ reservationId: r, amount: BigInt(i), promptTokens: 1, completionTokens: 1 });
    }
    ledger.reserve({ payer: P1, asset: TOKEN, ingotId: 1n, amount: 7n });
    ledger.createBatch({ asset: ETH, maxCharges: 3 });
    expectCreditMatchesRows(path);
    ledger.close();
    ledger = openLedger({ path });
    ledger.takeServingLease({ owner: "next", ttlMs: 30_000 });
    expectCreditMatchesRows(path);
    expect(ledger.totals(ETH).reserved).toBe(0n);
  });

  it("reserve_beyondCredit_throwsInsufficientCreditWithAvailableAndRequired", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 100n)], withdrawals: [], toBlock: 1n });
    ledger.reserve({ payer: P1, asset: ETH, ingotId: 1n, amount: 60n });
    const err = (() => { try { ledger.reserve({ payer: P1, asset: ETH, ingotId: 1n, amount: 41n }); } catch (e) { return e; } })() as InsufficientCreditError;
    expect(err).toBeInstanceOf(InsufficientCreditError);
    expect([err.available, err.required, err.payer, err.short]).toEqual([40n, 41n, P1, 0n]);
    expect(err.message).toMatch(/has 40 wei of credit .* Deposit at least 1 wei more/);
    expect(ledger.reserve({ payer: P1, asset: ETH, ingotId: 1n, amount: 40n })).toMatch(/^res_/);
  });

  it("payerCredit_splitsTheStanding_intoAvailableOrShort_heldUnsettledDeferredAndPendingWithdrawal", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 100n)], withdrawals: [], toBlock: 1n });
    const settled = charge(ledger, P1, 1n, 10n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    ledger.markBatchSettled(batch.batchId, { txHash: `0x${"ab".repeat(32)}` });
    charge(ledger, P1, 1n, 20n); // unsettled
    const late = charge(ledger, P1, 1n, 30n);
    ledger.reserve({ payer: P1, asset: ETH, ingotId: 1n, amount: 5n });
    expect(ledger.payerCredit(P1, ETH)).toEqual({ available: 35n, short: 0n, reserved: 5n, unsettled: 50n, deferred: 0n, pendingWithdrawal: 0n });
    expect(settled.amount).toBe(10n);
    // The payer withdraws 80 on chain (90 were left) and asks for 5 more; the 30 is deferred by a refusal.
    ledger.recordChainEvents({ deposits: [], withdrawals: [{ eventId: "x1", kind: "withdrawn", payer: P1, asset: ETH, amount: 80n, blockNumber: 2n, logIndex: 0 }, { eventId: "r1", kind: "requested", payer: P1, asset: ETH, amount: 5n, blockNumber: 3n, logIndex: 0 }], toBlock: 3n });
    const b2 = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    ledger.refuseBatch({ batchId: b2.batchId, payer: P1, balance: 25n });
    expect(ledger.getCharge(late.chargeId)!.deferredAt).toBeDefined();
    // 100 − 80 withdrawn − 5 requested − 60 charged − 5 held = −50.
    expect(ledger.payerCredit(P1, ETH)).toEqual({ available: 0n, short: 50n, reserved: 5n, unsettled: 50n, deferred: 30n, pendingWithdrawal: 5n });
    expect(ledger.payerCredit(P2, ETH)).toEqual({ available: 0n, short: 0n, reserved: 0n, unsettled: 0n, deferred: 0n, pendingWithdrawal: 0n });
  });

  it("reserve_whenThePayerOwesMoreThanTheyHold_saysHowShortTheyAre_andWhatToDeposit", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 100n)], withdrawals: [], toBlock: 1n });
    ledger.commitCharge({ reservationId: ledger.reserve({ payer: P1, asset: ETH, ingotId: 1n, amount: 90n }), amount: 90n, promptTokens: 1, completionTokens: 1 });
    // The payer withdrew 50 on chain before the 90 was settled: 40 short.
    ledger.recordChainEvents({ deposits: [], withdrawals: [{ eventId: "x1", kind: "withdrawn", payer: P1, asset: ETH, amount: 50n, blockNumber: 2n, logIndex: 0 }], toBlock: 2n });
    const err = (() => { try { ledger.reserve({ payer: P1, asset: ETH, ingotId: 1n, amount: 7n }); } catch (e) { return e; } })() as InsufficientCreditError;
    expect([err.available, err.short, err.required]).toEqual([0n, 40n, 7n]);
    expect(err.message).toMatch(/no credit .* it is 40 wei short .* Deposit at least 47 wei/);
  });
});

describe("reservations and charges", () => {
  beforeEach(() => ledger.recordChainEvents({ deposits: [deposit("d1", P1, 1000n)], withdrawals: [], toBlock: 1n }));

  it("commitCharge_belowReservation_chargesTheAmountAndFreesTheRest", () => {
    const r = ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount: 500n });
    const c = ledger.commitCharge({ reservationId: r, amount: 120n, promptTokens: 10, completionTokens: 20 });
    expect(c).toMatchObject({ payer: P1, asset: ETH, ingotId: 7n, amount: 120n, promptTokens: 10, completionTokens: 20 });
    expect(ledger.availableCredit(P1, ETH)).toBe(880n);
    expect(ledger.getCharge(c.chargeId)).toEqual(c);
  });

  it("commitCharge_aboveReservation_throwsAndChargesNothing", () => {
    const r = ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount: 100n });
    expect(() => ledger.commitCharge({ reservationId: r, amount: 101n, promptTokens: 1, completionTokens: 1 })).toThrow(ChargeExceedsReservationError);
    expect(ledger.totals(ETH).chargeCount).toBe(0);
    expect(ledger.availableCredit(P1, ETH)).toBe(900n);
  });

  it("commitCharge_twiceOrAfterRelease_throwsReservationNotOpen", () => {
    const r = ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount: 100n });
    ledger.commitCharge({ reservationId: r, amount: 10n, promptTokens: 1, completionTokens: 1 });
    expect(() => ledger.commitCharge({ reservationId: r, amount: 10n, promptTokens: 1, completionTokens: 1 })).toThrow(ReservationNotOpenError);
    expect(() => ledger.releaseReservation(r)).toThrow(ReservationNotOpenError);
    const r2 = ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount: 100n });
    ledger.releaseReservation(r2);
    expect(() => ledger.commitCharge({ reservationId: r2, amount: 1n, promptTokens: 1, completionTokens: 1 })).toThrow(/released/);
    expect(() => ledger.commitCharge({ reservationId: "res_x", amount: 1n, promptTokens: 1, completionTokens: 1 })).toThrow(/unknown/);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 10n, chargeCount: 1, reserved: 0n });
  });

  it("takeServingLease_afterReopen_releasesOpenReservationsAndKeepsCharges", () => {
    ledger.reserve({ payer: P1, asset: ETH, ingotId: 1n, amount: 300n });
    charge(ledger, P1, 1n, 50n);
    ledger.close();
    ledger = openLedger({ path });
    expect(ledger.availableCredit(P1, ETH)).toBe(650n);
    expect(ledger.takeServingLease({ owner: "next", ttlMs: 30_000 }).releasedReservations).toBe(1);
    expect(ledger.availableCredit(P1, ETH)).toBe(950n);
  });

  it("saveProof_getProof_roundTripsAndRefusesAnUnknownCharge", () => {
    const c = charge(ledger, P1, 1n, 5n);
    ledger.saveProof("prf_1", c.chargeId, '{"a":1}');
    expect(ledger.getProof("prf_1")).toEqual({ proofId: "prf_1", chargeId: c.chargeId, json: '{"a":1}' });
    expect(ledger.getProof("prf_2")).toBeNull();
    expect(() => ledger.saveProof("prf_3", "chg_missing", "{}")).toThrow(/FOREIGN KEY/);
  });

  it("commitCharge_withProof_storesTheChargeUnderTheGivenIdAndItsProofTogether", () => {
    const r = ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount: 100n });
    const c = ledger.commitCharge({ reservationId: r, chargeId: "chg_named", amount: 40n, promptTokens: 1, completionTokens: 3, proof: { proofId: "prf_a", json: '{"p":1}' } });
    expect(c.chargeId).toBe("chg_named");
    expect(ledger.getCharge("chg_named")).toEqual(c);
    expect(ledger.getProof("prf_a")).toEqual({ proofId: "prf_a", chargeId: "chg_named", json: '{"p":1}' });
    ledger.close();
    ledger = openLedger({ path });
    expect(ledger.getProof("prf_a")?.chargeId).toBe("chg_named");
    expect(ledger.availableCredit(P1, ETH)).toBe(960n);
  });

  it("commitCharge_whenTheProofCannotBeStored_chargesNothingAndLeavesTheReservationOpen", () => {
    charge(ledger, P1, 1n, 5n);
    const first = ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount: 100n });
    ledger.commitCharge({ reservationId: first, chargeId: "chg_one", amount: 10n, promptTokens: 1, completionTokens: 1, proof: { proofId: "prf_taken", json: "{}" } });
    const r = ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount: 100n });
    // A proof id already stored: the whole commit rolls back.
    expect(() => ledger.commitCharge({ reservationId: r, chargeId: "chg_two", amount: 30n, promptTokens: 1, completionTokens: 1, proof: { proofId: "prf_taken", json: "{}" } })).toThrow(/UNIQUE/);
    expect(ledger.getCharge("chg_two")).toBeNull();
    // A charge id already used: the same.
    expect(() => ledger.commitCharge({ reservationId: r, chargeId: "chg_one", amount: 30n, promptTokens: 1, completionTokens: 1, proof: { proofId: "prf_new", json: "{}" } })).toThrow(/UNIQUE/);
    expect(ledger.getProof("prf_new")).toBeNull();
    expect(() => ledger.commitCharge({ reservationId: r, chargeId: "not-a-charge-id", amount: 30n, promptTokens: 1, completionTokens: 1 })).toThrow(/chg_/);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 15n, chargeCount: 2, reserved: 100n });
    // The hold is still open and can be committed once.
    expect(ledger.commitCharge({ reservationId: r, chargeId: "chg_two", amount: 30n, promptTokens: 1, completionTokens: 1 }).amount).toBe(30n);
    expect(ledger.availableCredit(P1, ETH)).toBe(1000n - 5n - 10n - 30n);
  });

  it("commitCharges_commitsEachCallOnItsOwn_inOneTransaction_andAFailingOneWritesNothing", () => {
    const r = [100n, 100n, 100n].map((amount) => ledger.reserve({ payer: P1, asset: ETH, ingotId: 7n, amount }));
    const outcomes = ledger.commitCharges([
      { reservationId: r[0], chargeId: "chg_a", amount: 10n, promptTokens: 1, completionTokens: 1, proof: { proofId: "prf_a", json: "{}" } },
      { reservationId: r[1], chargeId: "chg_b", amount: 20n, promptTokens: 1, completionTokens: 1, proof: { proofId: "prf_a", json: "{}" } }, // proof id taken
      { reservationId: r[2], chargeId: "chg_c", amount: 30n, promptTokens: 1, completionTokens: 1, proof: { proofId: "prf_c", json: "{}" } },
      { reservationId: r[0], chargeId: "chg_d", amount: 1n, promptTokens: 1, completionTokens: 1 }, // committed just above
    ]);
    expect(outcomes.map((o) => (o.ok ? o.charge.chargeId : (o.error as Error).name))).toEqual(["chg_a", "Error", "chg_c", "ReservationNotOpenError"]);
    expect(ledger.getCharge("chg_b")).toBeNull();
    expect(ledger.getProof("prf_c")?.chargeId).toBe("chg_c");
    // The failed call's hold stays open, to be committed or released by its caller.
    expect(ledger.totals(ETH)).toMatchObject({ charged: 40n, chargeCount: 2, reserved: 100n });
    expect(ledger.commitCharges([])).toEqual([]);
    expectCreditMatchesRows(path);
  });
});

describe("settlement batches", () => {
  beforeEach(() =>
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, BIG), deposit("d2", P2, BIG), deposit("d3", P1, BIG, TOKEN)], withdrawals: [], toBlock: 1n }),
  );

  it("createBatch_sumsDebitsPerPayerAndCreditsPerIngot_withDeterministicId", () => {
    const c = [charge(ledger, P1, 1n, BIG / 4n), charge(ledger, P2, 1n, 3n), charge(ledger, P1, 2n, 5n), charge(ledger, P1, 9n, 1n, TOKEN)];
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    expect(batch.asset).toBe(ETH);
    expect(batch.chargeIds).toEqual(c.slice(0, 3).map((x) => x.chargeId));
    expect(batch.batchId).toBe(batchIdOf([...batch.chargeIds].reverse()));
    expect(batch.debits).toEqual([{ payer: P1, amount: BIG / 4n + 5n }, { payer: P2, amount: 3n }].sort((a, b) => (a.payer < b.payer ? -1 : 1)));
    expect(batch.credits).toEqual([{ ingotId: 1n, amount: BIG / 4n + 3n }, { ingotId: 2n, amount: 5n }]);
    const sumD = batch.debits.reduce((s, d) => s + d.amount, 0n);
    expect(sumD).toBe(batch.credits.reduce((s, d) => s + d.amount, 0n));
    expect(ledger.createBatch({ asset: ETH, maxCharges: 10 })).toBeNull();
    expect(ledger.createBatch({ asset: TOKEN, maxCharges: 10 })!.chargeIds).toEqual([c[3].chargeId]);
  });

  it("createBatch_takesTheOldestChargesFirst_upToMaxCharges", () => {
    const c = [1n, 2n, 3n, 4n, 5n].map((a) => charge(ledger, P1, 1n, a));
    expect(ledger.createBatch({ asset: ETH, maxCharges: 2 })!.chargeIds).toEqual([c[0].chargeId, c[1].chargeId]);
    expect(ledger.createBatch({ asset: ETH, maxCharges: 2 })!.chargeIds).toEqual([c[2].chargeId, c[3].chargeId]);
    expect(ledger.createBatch({ asset: ETH, maxCharges: 2 })!.chargeIds).toEqual([c[4].chargeId]);
    expect(() => ledger.createBatch({ asset: ETH, maxCharges: 0 })).toThrow(/positive/);
  });

  it("settlementBacklog_countsWhatCreateBatchWouldTake_inItsAsset_andNamesWithdrawingPayers", () => {
    expect(ledger.settlementBacklog(ETH)).toEqual({ charges: 0, amount: 0n, oldestChargeAt: null, withdrawingPayers: [] });
    const first = charge(ledger, P1, 1n, BIG / 4n);
    charge(ledger, P2, 2n, 3n);
    charge(ledger, P1, 9n, 1n, TOKEN);
    expect(ledger.settlementBacklog(ETH)).toEqual({ charges: 2, amount: BIG / 4n + 3n, oldestChargeAt: first.createdAt, withdrawingPayers: [] });
    expect(ledger.settlementBacklog(TOKEN)).toMatchObject({ charges: 1, amount: 1n });
    // A batched charge is no longer in the backlog; the next one is the oldest.
    ledger.createBatch({ asset: ETH, maxCharges: 1 });
    charge(ledger, P2, 1n, 4n);
    expect(ledger.settlementBacklog(ETH)).toMatchObject({ charges: 2, amount: 7n });
    // A payer who asks to withdraw is named while their charges wait; a cancel takes them off.
    ledger.recordChainEvents({ deposits: [], withdrawals: [{ eventId: "w1", kind: "requested", payer: P2, asset: ETH, amount: 1n, blockNumber: 2n, logIndex: 0 }], toBlock: 2n });
    expect(ledger.settlementBacklog(ETH).withdrawingPayers).toEqual([P2]);
    expect(ledger.settlementBacklog(TOKEN).withdrawingPayers).toEqual([]);
    ledger.recordChainEvents({ deposits: [], withdrawals: [{ eventId: "w2", kind: "cancelled", payer: P2, asset: ETH, amount: 1n, blockNumber: 3n, logIndex: 0 }], toBlock: 3n });
    expect(ledger.settlementBacklog(ETH).withdrawingPayers).toEqual([]);
  });

  it("pendingBatches_surviveReopen_untilMarkedSettled_andChargesShowTheSettlement", () => {
    const c = charge(ledger, P1, 1n, 10n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    ledger.close();
    ledger = openLedger({ path });
    expect(ledger.pendingBatches()).toEqual([batch]);
    expect(ledger.getCharge(c.chargeId)!.settlement).toBeUndefined();
    const txHash = `0x${"ab".repeat(32)}` as const;
    ledger.markBatchSettled(batch.batchId, { txHash });
    ledger.markBatchSettled(batch.batchId, { txHash: `0x${"cd".repeat(32)}` }); // first record wins
    expect(ledger.pendingBatches()).toEqual([]);
    expect(ledger.getCharge(c.chargeId)!.settlement).toEqual({ batchId: batch.batchId, txHash });
    expect(ledger.totals(ETH)).toMatchObject({ charged: 10n, batched: 10n, settled: 10n, settledChargeCount: 1 });
  });

  it("recordSettlementSend_keepsEachSendOnceWithItsHash_acrossReopen_andGoesWithARefusedBatch", () => {
    charge(ledger, P1, 1n, 10n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    const first = { batchId: batch.batchId, kind: "settle" as const, nonce: 7, maxFeePerGas: 2n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, sentAtMs: 1_700_000_000_000 };
    ledger.recordSettlementSend(first); // before the broadcast
    const txHash = `0x${"ab".repeat(32)}` as const;
    ledger.recordSettlementSend({ ...first, txHash }); // after it: the same row gets its hash
    ledger.recordSettlementSend(first); // a late repeat without the hash keeps it
    const replacement = { ...first, maxFeePerGas: 2_250_000_000n, maxPriorityFeePerGas: 1_125_000_000n, sentAtMs: first.sentAtMs + 180_000 };
    ledger.recordSettlementSend(replacement);
    ledger.close();
    ledger = openLedger({ path });
    expect(ledger.settlementSends(batch.batchId)).toEqual([{ ...first, txHash }, replacement]);
    expect(() => ledger.recordSettlementSend({ ...first, nonce: -1 })).toThrow(/nonce/);
    expect(() => ledger.recordSettlementSend({ ...first, batchId: `0x${"ee".repeat(32)}` })).toThrow(UnknownBatchError);
    ledger.refuseBatch({ batchId: batch.batchId, payer: P1, balance: 0n });
    expect(ledger.settlementSends(batch.batchId)).toEqual([]);
  });

  it("recordSettlementSend_onASettledBatch_isRefused", () => {
    charge(ledger, P1, 1n, 10n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    ledger.markBatchSettled(batch.batchId, { txHash: `0x${"ab".repeat(32)}` });
    expect(() => ledger.recordSettlementSend({ batchId: batch.batchId, kind: "cancel", nonce: 1, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, sentAtMs: 0 })).toThrow(/settled on chain/);
  });

  it("settlementDebits_ofItsOwnBatchesAreSkipped_andOfAnyOtherBatchLowerThePayersCredit_once", () => {
    const c = charge(ledger, P1, 1n, 40n);
    const ours = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    const debit = (eventId: string, batchId: `0x${string}`, amount: bigint, payer: Address = P1) => ({ eventId, batchId, payer, asset: ETH, amount, blockNumber: 2n });
    const events = { deposits: [], withdrawals: [], debits: [debit("0xa:0", ours.batchId.toUpperCase().replace("0X", "0x") as `0x${string}`, 40n), debit("0xb:0", `0x${"ee".repeat(32)}`, 25n), debit("0xb:1", `0x${"ee".repeat(32)}`, 5n, P2)], toBlock: 2n };
    expect(ledger.recordChainEvents(events)).toEqual({ deposits: 0, withdrawals: 0, debitsElsewhere: 2 });
    expect(ledger.recordChainEvents({ ...events, toBlock: 3n })).toEqual({ deposits: 0, withdrawals: 0, debitsElsewhere: 0 });
    expect(ledger.availableCredit(P1, ETH)).toBe(BIG - c.amount - 25n);
    expect(ledger.availableCredit(P2, ETH)).toBe(BIG - 5n);
    expect(ledger.totals(ETH)).toMatchObject({ charged: 40n, debitedElsewhere: 30n });
    expectCreditMatchesRows(path);
  });

  it("refuseBatch_defersTheChargesTheBalanceCannotCover_requeuesTheRest_andKeepsTheDebt", () => {
    const a = charge(ledger, P1, 1n, 50n);
    const b = charge(ledger, P2, 1n, 7n);
    const c = charge(ledger, P1, 2n, 80n);
    const d = charge(ledger, P1, 2n, 20n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    const before = ledger.availableCredit(P1, ETH);
    // P1 has 75 left on chain: 50 + 20 fit (oldest first, skipping the 80 that does not).
    expect(ledger.refuseBatch({ batchId: batch.batchId, payer: P1, balance: 75n })).toEqual({ deferredChargeIds: [c.chargeId], deferredAmount: 80n, requeued: 3 });
    expect(ledger.pendingBatches()).toEqual([]);
    expect(ledger.availableCredit(P1, ETH)).toBe(before); // still owed
    expect(ledger.getCharge(c.chargeId)!.deferredAt).toBeDefined();
    expect(ledger.totals(ETH)).toMatchObject({ charged: 157n, batched: 0n, deferred: 80n });
    const next = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    expect(next.chargeIds).toEqual([a.chargeId, b.chargeId, d.chargeId]);
    expect(next.debits).toEqual([{ payer: P1, amount: 70n }, { payer: P2, amount: 7n }]);
    expect(ledger.createBatch({ asset: ETH, maxCharges: 10 })).toBeNull();
    // A deposit by P1 makes the deferred charge eligible again; another payer's does not.
    ledger.recordChainEvents({ deposits: [deposit("d9", P2, 1n)], withdrawals: [], toBlock: 2n });
    expect(ledger.createBatch({ asset: ETH, maxCharges: 10 })).toBeNull();
    ledger.recordChainEvents({ deposits: [deposit("d10", P1, 100n)], withdrawals: [], toBlock: 3n });
    expect(ledger.getCharge(c.chargeId)!.deferredAt).toBeUndefined();
    expect(ledger.createBatch({ asset: ETH, maxCharges: 10 })!.chargeIds).toEqual([c.chargeId]);
    const db = new DatabaseSync(path, { readOnly: true });
    expect(db.prepare("SELECT batch_id, payer, balance, debit, deferred_charge_ids FROM batch_refusals").all()).toEqual([
      { batch_id: batch.batchId, payer: P1, balance: "75", debit: "150", deferred_charge_ids: JSON.stringify([c.chargeId]) },
    ]);
    db.close();
    expectCreditMatchesRows(path);
  });

  it("refuseBatch_whenEveryChargeIsDeferred_letsTheSameBatchBeCreatedAgainLater", () => {
    const a = charge(ledger, P1, 1n, 50n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    expect(ledger.refuseBatch({ batchId: batch.batchId, payer: P1, balance: 0n }).deferredChargeIds).toEqual([a.chargeId]);
    expect(ledger.createBatch({ asset: ETH, maxCharges: 10 })).toBeNull();
    ledger.recordChainEvents({ deposits: [deposit("d9", P1, 60n)], withdrawals: [], toBlock: 2n });
    expect(ledger.createBatch({ asset: ETH, maxCharges: 10 })!.batchId).toBe(batch.batchId);
  });

  it("refuseBatch_refusesWhatIsNotARefusal", () => {
    charge(ledger, P1, 1n, 50n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    expect(() => ledger.refuseBatch({ batchId: `0x${"00".repeat(32)}`, payer: P1, balance: 0n })).toThrow(UnknownBatchError);
    expect(() => ledger.refuseBatch({ batchId: batch.batchId, payer: P2, balance: 0n })).toThrow(/debits nothing/);
    expect(() => ledger.refuseBatch({ batchId: batch.batchId, payer: P1, balance: 50n })).toThrow(/covers/);
    ledger.markBatchSettled(batch.batchId, { txHash: `0x${"ab".repeat(32)}` });
    expect(() => ledger.refuseBatch({ batchId: batch.batchId, payer: P1, balance: 0n })).toThrow(/settled/);
    expect(ledger.pendingBatches()).toEqual([]);
    expect(ledger.totals(ETH)).toMatchObject({ settled: 50n, deferred: 0n });
  });

  it("markBatchSettled_whenBatchUnknown_throwsUnknownBatchError", () => {
    expect(() => ledger.markBatchSettled(`0x${"00".repeat(32)}`, { txHash: `0x${"00".repeat(32)}` })).toThrow(UnknownBatchError);
  });
});

describe("keys CLI", () => {
  it("create_list_revoke_overTheSameDatabase", () => {
    ledger.close();
    const out: string[] = [];
    const io = { log: (s: string) => out.push(s), error: (s: string) => out.push(`ERR ${s}`) };
    expect(runKeysCli(["create", "--db", path, "--payer", P1, "--label", "ci", "--rate", "5"], io)).toBe(0);
    const apiKey = out.join("\n").match(/ifk_\S+/)![0];
    const keyId = out.join("\n").match(/key_[0-9a-f]{16}/)![0];
    out.length = 0;
    expect(runKeysCli(["list", "--db", path], io)).toBe(0);
    expect(out[0]).toMatch(/^KEY ID\s+PAYER\s+LABEL\s+RATE\/MIN/);
    expect(out[1]).toContain(keyId);
    expect(out[1]).toMatch(/ci\s+5\s+.*active$/);
    expect(out.join("\n")).not.toContain(apiKey);
    expect(runKeysCli(["revoke", "--db", path, "--key-id", keyId], io)).toBe(0);
    ledger = openLedger({ path });
    expect(() => ledger.authenticate(apiKey)).toThrow(RevokedApiKeyError);
  });

  it("badInput_exitsWithUsage", () => {
    const out: string[] = [];
    const io = { log: (s: string) => out.push(s), error: (s: string) => out.push(s) };
    expect(runKeysCli(["create", "--db", path, "--payer", "0x12"], io)).toBe(2);
    expect(out.join("\n")).toMatch(/payer: must be a 0x-prefixed 20-byte address[\s\S]*usage/);
    expect(runKeysCli(["revoke", "--db", path, "--key-id", "key_nope"], io)).toBe(1);
  });
});

describe("settlement CLI", () => {
  it("status_showsWhereTheAssetsMoneyStands_andEachPendingBatchsLastSend", () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 1000n), deposit("d2", P2, 500n)], withdrawals: [], toBlock: 1n });
    charge(ledger, P1, 1n, 100n);
    const settled = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    ledger.markBatchSettled(settled.batchId, { txHash: `0x${"ab".repeat(32)}` });
    charge(ledger, P1, 1n, 30n);
    charge(ledger, P2, 2n, 12n);
    const waiting = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    ledger.recordSettlementSend({ batchId: waiting.batchId, kind: "settle", nonce: 4, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n, sentAtMs: 1_000_000, txHash: `0x${"cd".repeat(32)}` });
    charge(ledger, P2, 1n, 5n);
    const notSent = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    charge(ledger, P2, 1n, 7n); // not batched
    ledger.close();
    const out: string[] = [];
    const io = { log: (s: string) => out.push(s), error: (s: string) => out.push(`ERR ${s}`) };
    expect(runSettlementCli(["status", "--db", path], io, () => 1_000_000 + 3_725_000)).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/deposited\s+1500\n/);
    expect(text).toMatch(/charged\s+154 in 5 charges/);
    expect(text).toMatch(/settled\s+100 in 1 charges/);
    expect(text).toMatch(/in pending batches\s+47\n/);
    expect(text).toMatch(/not yet batched\s+7 in 1 charges, the oldest \d+s ago\n/);
    expect(text).toContain("pending batches, oldest first (2):");
    expect(text).toContain(`${waiting.batchId}  2 charges, 42; last sent: settle at nonce 4, max fee 2000000000 wei/gas, tip 1000000, 1h 2m 5s ago, 0x${"cd".repeat(32)}`);
    expect(text).toContain(`${notSent.batchId}  1 charges, 5; not sent yet`);
    expect(text).not.toContain(settled.batchId);
    ledger = openLedger({ path });
  });

  it("wait_whenAChargeIsNotSettled_timesOutSayingWhatWaits_andReturnsOnceItIs", async () => {
    ledger.recordChainEvents({ deposits: [deposit("d1", P1, 1000n)], withdrawals: [], toBlock: 1n });
    charge(ledger, P1, 1n, 100n);
    const batch = ledger.createBatch({ asset: ETH, maxCharges: 10 })!;
    const out: string[] = [];
    const io = { log: (s: string) => out.push(s), error: (s: string) => out.push(`ERR ${s}`) };
    expect(await runSettlementWait(["wait", "--db", path, "--timeout", "1"], io, 100)).toBe(1);
    expect(out.join("\n")).toMatch(/^ERR after 1 s, 100 wei of 100 charged is not settled yet \(100 in pending batches/);
    ledger.markBatchSettled(batch.batchId, { txHash: `0x${"ab".repeat(32)}` });
    out.length = 0;
    expect(await runSettlementWait(["wait", "--db", path, "--timeout", "1"], io, 100)).toBe(0);
    expect(out).toEqual(["settled: 100 wei in 1 charges, every charge so far (0 s)"]);
  });

  it("isMainModule_whenStartedThroughASymlinkedPath_isTrue", async () => {
    const { symlinkSync, writeFileSync } = await import("node:fs");
    const { pathToFileURL } = await import("node:url");
    const real = join(dir, "cli.mjs");
    writeFileSync(real, "");
    symlinkSync(dir, join(dir, "linked"));
    expect(isMainModule(pathToFileURL(real).href, join(dir, "linked", "cli.mjs"))).toBe(true);
    expect(isMainModule(pathToFileURL(real).href, join(dir, "ledger.db"))).toBe(false);
    expect(isMainModule(pathToFileURL(real).href, undefined)).toBe(false);
  });

  it("badInput_exitsWithUsage", () => {
    const out: string[] = [];
    const io = { log: (s: string) => out.push(s), error: (s: string) => out.push(s) };
    expect(runSettlementCli(["status", "--db", path, "--asset", "0x12"], io)).toBe(2);
    expect(out.join("\n")).toMatch(/asset: must be a 0x-prefixed 20-byte address[\s\S]*usage/);
    expect(runSettlementCli(["replace", "--db", path], io)).toBe(2);
  });
});
