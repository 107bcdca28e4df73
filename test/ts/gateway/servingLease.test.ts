import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAddress, zeroAddress } from "viem";
import { openLedger } from "../../../gateway/src/ledger/openLedger.js";
import { holdServingLease } from "../../../gateway/src/ledger/holdServingLease.js";
import { LedgerInUseError, ServingLeaseLostError } from "../../../gateway/src/ledger/errors.js";
import type { Ledger } from "../../../gateway/src/ledger/types.js";

/**
 * One gateway process serves from a ledger file. The lease is what keeps a second process,
 * started by mistake on the same file, from releasing the reservations of calls the first is
 * still serving (each would then be served and never charged).
 */
const P = getAddress("0x1111111111111111111111111111111111111111");
const TTL = 30_000;

let dir: string;
let path: string;
let a: Ledger;
let b: Ledger;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lease-"));
  path = join(dir, "ledger.db");
  a = openLedger({ path });
  b = openLedger({ path }); // a second process's connection to the same file
  a.recordChainEvents({ deposits: [{ depositId: "d", payer: P, asset: zeroAddress, amount: 1000n, blockNumber: 1n }], withdrawals: [], toBlock: 1n });
});
afterEach(() => {
  a.close();
  b.close();
  rmSync(dir, { recursive: true, force: true });
});

const reserve = (l: Ledger, amount: bigint) => l.reserve({ payer: P, asset: zeroAddress, ingotId: 1n, amount });

describe("the ledger's serving lease", () => {
  it("takeServingLease_whileAnotherOwnerRenewedWithinTheTtl_isRefused_andLeavesItsReservationsOpen", () => {
    a.takeServingLease({ owner: "A", ttlMs: TTL, now: 1_000 });
    reserve(a, 300n);
    const refused = (() => { try { b.takeServingLease({ owner: "B", ttlMs: TTL, now: 1_000 + TTL - 1 }); } catch (e) { return e; } })();
    expect(refused).toBeInstanceOf(LedgerInUseError);
    expect((refused as LedgerInUseError).holder).toMatchObject({ owner: "A", pid: process.pid, host: hostname(), renewedMsAgo: TTL - 1 });
    expect((refused as Error).message).toMatch(/in use by another gateway process \(pid \d+ on .+, lease renewed 30\.0 s ago\)/);
    expect(a.availableCredit(P, zeroAddress)).toBe(700n);
  });

  it("takeServingLease_afterTheHolderStoppedRenewing_takesItAndReleasesTheDeadHoldersReservations", () => {
    a.takeServingLease({ owner: "A", ttlMs: TTL, now: 1_000 });
    a.renewServingLease("A", 5_000);
    reserve(a, 300n);
    expect(b.takeServingLease({ owner: "B", ttlMs: TTL, now: 5_000 + TTL })).toEqual({ releasedReservations: 1 });
    expect(b.availableCredit(P, zeroAddress)).toBe(1000n);
    expect(() => a.renewServingLease("A", 5_000 + TTL + 1)).toThrow(ServingLeaseLostError);
  });

  it("releaseServingLease_letsTheNextProcessTakeItAtOnce_andIsANoOpForAnOwnerWhoDoesNotHoldIt", () => {
    a.takeServingLease({ owner: "A", ttlMs: TTL, now: 1_000 });
    b.releaseServingLease("B");
    expect(() => b.takeServingLease({ owner: "B", ttlMs: TTL, now: 1_001 })).toThrow(LedgerInUseError);
    a.releaseServingLease("A");
    expect(b.takeServingLease({ owner: "B", ttlMs: TTL, now: 1_002 })).toEqual({ releasedReservations: 0 });
    expect(() => a.renewServingLease("A")).toThrow(/gone \(now held by B\)/);
  });

  it("takeServingLease_replacingANamedDeadHolder_takesItAtOnce_butNotFromAnyOtherHolder", () => {
    a.takeServingLease({ owner: "A", ttlMs: TTL, now: 1_000 });
    expect(() => b.takeServingLease({ owner: "B", ttlMs: TTL, now: 1_001, replacing: "X" })).toThrow(LedgerInUseError);
    expect(b.takeServingLease({ owner: "B", ttlMs: TTL, now: 1_001, replacing: "A" })).toEqual({ releasedReservations: 0 });
  });
});

describe("holdServingLease", () => {
  it("holdServingLease_refusesASecondHolderWhileTheFirstIsAlive_andHandsOverOnRelease", () => {
    const first = holdServingLease({ ledger: a, ttlMs: TTL, onLost: () => { throw new Error("not lost"); } });
    expect(() => holdServingLease({ ledger: b, ttlMs: TTL, onLost: () => undefined })).toThrow(LedgerInUseError);
    first.release();
    const second = holdServingLease({ ledger: b, ttlMs: TTL, onLost: () => undefined });
    expect(second.owner).not.toBe(first.owner);
    second.release();
  });

  it("holdServingLease_whenTheHolderOnThisHostIsADeadProcess_takesItOverWithoutWaiting_andFreesItsHolds", () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!; // a process that has exited
    a.takeServingLease({ owner: "dead", ttlMs: TTL });
    reserve(a, 250n);
    const db = new DatabaseSync(path);
    db.prepare("UPDATE serving_lease SET pid = ? WHERE id = 1").run(dead);
    db.close();
    const held = holdServingLease({ ledger: b, ttlMs: TTL, onLost: () => undefined });
    expect(held.releasedReservations).toBe(1);
    expect(b.availableCredit(P, zeroAddress)).toBe(1000n);
    held.release();
  });

  it.runIf(process.platform === "linux")("holdServingLease_whenTheHolderIsAZombieNotYetReaped_takesItOverToo", async () => {
    // `sleep 0` exits at once; its parent became `sleep 5`, which never reaps it: a zombie that still answers kill(pid, 0).
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const zombie = Number((await new Promise<Buffer>((resolve) => parent.stdout!.once("data", resolve))).toString().trim());
      await new Promise((r) => setTimeout(r, 200));
      expect(() => process.kill(zombie, 0)).not.toThrow();
      a.takeServingLease({ owner: "zombie", ttlMs: TTL });
      const db = new DatabaseSync(path);
      db.prepare("UPDATE serving_lease SET pid = ? WHERE id = 1").run(zombie);
      db.close();
      holdServingLease({ ledger: b, ttlMs: TTL, onLost: () => undefined }).release();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("holdServingLease_whenAnotherProcessTakesTheLease_callsOnLostOnce_atTheNextRenewal", async () => {
    const lost: Error[] = [];
    const ttlMs = 60;
    const held = holdServingLease({ ledger: a, ttlMs, onLost: (e) => lost.push(e) });
    await new Promise((r) => setTimeout(r, 3 * ttlMs)); // renewals keep it
    expect(lost).toEqual([]);
    b.takeServingLease({ owner: "B", ttlMs, now: Date.now() + ttlMs }); // as if A had frozen for a whole ttl
    await new Promise((r) => setTimeout(r, 3 * ttlMs));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ServingLeaseLostError);
    held.release(); // lost already: must not take B's lease away
    expect(() => b.renewServingLease("B")).not.toThrow();
  });
});
