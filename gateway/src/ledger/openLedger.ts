import { createHash, randomBytes, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { getAddress, keccak256, toBytes, type Address, type Hex } from "viem";
import { InsufficientCreditError, RateLimitedError, RevokedApiKeyError, UnknownApiKeyError } from "../errors.js";
import type { Asset, Caller, Charge, SettlementBatch } from "../types.js";
import {
  ChargeExceedsReservationError,
  LedgerError,
  LedgerInUseError,
  LedgerSchemaError,
  ReservationNotOpenError,
  ServingLeaseLostError,
  UnknownBatchError,
  UnknownKeyIdError,
} from "./errors.js";
import { compareChainOrder } from "../compareChainOrder.js";
import { applyWithdrawalEvent, changeCredit, computeCreditFromRows, readCredit, rebuildCredit, spendable } from "./creditTotals.js";
import { MIGRATIONS } from "./schema.js";
import type { ApiKeyInfo, CommitChargeParameters, CommitOutcome, Ledger, LedgerTotals, SettlementBacklog } from "./types.js";

export type OpenLedgerParameters = {
  /** SQLite file (created when missing), or ":memory:". */
  path: string;
  /** Milliseconds a writer waits for another process's lock (default 5,000). */
  busyTimeoutMs?: number;
};

const RATE_WINDOW_MS = 60_000;
const API_KEY_PREFIX = "ifk_";
const CHARGE_ID = /^chg_[A-Za-z0-9_-]{1,100}$/;
const WITHDRAWAL_KINDS = new Set(["requested", "cancelled", "withdrawn"]);

type Row = Record<string, string | number | bigint | null | Uint8Array>;

const sha256Hex = (s: string): string => createHash("sha256").update(s).digest("hex");
const sum = (rows: Row[]): bigint => rows.reduce((acc, r) => acc + BigInt(r.amount as string), 0n);

/**
 * The batch id of a set of charges: keccak256 over the sorted charge ids, so the same charges
 * always name the same batch (and GatewayDeposits refuses that id a second time).
 */
export function batchIdOf(chargeIds: readonly string[]): Hex {
  return keccak256(toBytes(`ingotforge.gateway.batch.v1:${[...chargeIds].sort().join(",")}`));
}

/**
 * Open (creating and migrating when needed) the gateway's SQLite ledger: WAL journal, foreign
 * keys on, schema versions recorded in `migrations`. Amounts are TEXT decimals summed in bigint.
 */
export function openLedger(p: OpenLedgerParameters): Ledger {
  const db = new DatabaseSync(p.path);
  db.exec(`PRAGMA busy_timeout = ${Math.floor(p.busyTimeoutMs ?? 5000)}`);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA synchronous = FULL");

  /**
   * Run `fn` inside one BEGIN IMMEDIATE transaction (the write lock is taken up front).
   *
   * `durable: false` commits without waiting for the disk (synchronous = NORMAL for this one
   * commit): a crash may lose that transaction, never corrupt the database, and the next durable
   * commit makes it durable too, since the WAL is written in order. It is for writes whose loss a
   * restart repairs anyway: reservations (a process that died delivered nothing, so
   * the next process frees them all when it takes the serving lease), their release, and rate-limit hits.
   * Charges, proofs, chain events and batches are always durable.
   */
  function tx<T>(fn: () => T, { durable = true }: { durable?: boolean } = {}): T {
    if (!durable) db.exec("PRAGMA synchronous = NORMAL");
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = fn();
        db.exec("COMMIT");
        return result;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      if (!durable) db.exec("PRAGMA synchronous = FULL");
    }
  }

  // Statements are compiled once and reused: preparing costs more than running most of them.
  const statements = new Map<string, StatementSync>();
  const q = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };

  migrate();

  function migrate(): void {
    tx(() => {
      db.exec("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
      const row = db.prepare("SELECT MAX(version) AS v FROM migrations").get() as Row | undefined;
      const current = Number(row?.v ?? 0);
      const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
      if (current > latest) throw new LedgerSchemaError(current, latest);
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        db.exec(m.sql);
        statements.clear(); // the schema changed under any statement prepared before
        db.prepare("INSERT INTO migrations (version, applied_at) VALUES (?, ?)").run(m.version, new Date().toISOString());
      }
      // Running totals are recomputed from the rows once the schema is current (versions 2 and 3 add to them).
      if (current < latest) rebuildCredit(q);
    });
  }


  function keyInfo(r: Row): ApiKeyInfo {
    return {
      keyId: r.key_id as string,
      payer: r.payer as Address,
      label: (r.label as string | null) ?? null,
      rateLimitPerMinute: r.rate_limit_per_minute === null ? null : Number(r.rate_limit_per_minute),
      createdAt: r.created_at as string,
      revokedAt: (r.revoked_at as string | null) ?? null,
    };
  }

  function chargeOf(r: Row): Charge {
    const charge: Charge = {
      chargeId: r.charge_id as string,
      payer: r.payer as Address,
      asset: r.asset as Address,
      ingotId: BigInt(r.ingot_id as string),
      amount: BigInt(r.amount as string),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
      createdAt: r.created_at as string,
    };
    if (r.tx_hash) charge.settlement = { batchId: r.batch_id as Hex, txHash: r.tx_hash as Hex };
    if (r.deferred_at) charge.deferredAt = r.deferred_at as string;
    return charge;
  }

  function batchOf(batchId: string, asset: string): SettlementBatch {
    const rows = q("SELECT charge_id, payer, ingot_id, amount FROM charges WHERE batch_id = ? ORDER BY seq").all(batchId) as Row[];
    const debits = new Map<string, bigint>();
    const credits = new Map<string, bigint>();
    for (const r of rows) {
      const amount = BigInt(r.amount as string);
      debits.set(r.payer as string, (debits.get(r.payer as string) ?? 0n) + amount);
      credits.set(r.ingot_id as string, (credits.get(r.ingot_id as string) ?? 0n) + amount);
    }
    return {
      batchId: batchId as Hex,
      asset: asset as Address,
      debits: [...debits].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([payer, amount]) => ({ payer: payer as Address, amount })),
      credits: [...credits]
        .map(([id, amount]) => ({ ingotId: BigInt(id), amount }))
        .sort((a, b) => (a.ingotId < b.ingotId ? -1 : a.ingotId > b.ingotId ? 1 : 0)),
      chargeIds: rows.map((r) => r.charge_id as string),
    };
  }

  const available = (payer: string, asset: string): bigint => spendable(readCredit(q, payer, asset));

  const nonNegative = (what: string, v: bigint) => {
    if (v < 0n) throw new LedgerError(`${what} must not be negative (got ${v})`);
  };

  /** commitCharge's writes, inside the caller's transaction. */
  const commitOne = ({ reservationId, amount, promptTokens, completionTokens, chargeId = `chg_${randomUUID()}`, proof }: CommitChargeParameters): Charge => {
    nonNegative("a charge", amount);
    if (!CHARGE_ID.test(chargeId)) throw new LedgerError(`a charge id is chg_ followed by 1–100 letters, digits, _ or - (got ${JSON.stringify(chargeId)})`);
    const r = q("SELECT * FROM reservations WHERE reservation_id = ?").get(reservationId) as Row | undefined;
    if (!r) throw new ReservationNotOpenError(reservationId, "missing");
    if (r.status !== "open") throw new ReservationNotOpenError(reservationId, r.status as "committed" | "released");
    const reserved = BigInt(r.amount as string);
    if (amount > reserved) throw new ChargeExceedsReservationError(reservationId, reserved, amount);
    const createdAt = new Date().toISOString();
    q("UPDATE reservations SET status = 'committed' WHERE reservation_id = ?").run(reservationId);
    changeCredit(q, r.payer as string, r.asset as string, (c) => {
      c.reserved -= reserved;
      c.charged += amount;
    });
    q(`INSERT INTO charges (charge_id, reservation_id, payer, asset, ingot_id, amount, prompt_tokens, completion_tokens, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      chargeId, reservationId, r.payer as string, r.asset as string, r.ingot_id as string, amount.toString(), promptTokens, completionTokens, createdAt,
    );
    if (proof) {
      q("INSERT INTO proofs (proof_id, charge_id, json) VALUES (?, ?, ?)").run(proof.proofId, chargeId, proof.json);
      if (proof.chainHash !== undefined) q("INSERT INTO witness_queue (proof_id, chain_hash) VALUES (?, ?)").run(proof.proofId, proof.chainHash);
    }
    return {
      chargeId, payer: r.payer as Address, asset: r.asset as Address, ingotId: BigInt(r.ingot_id as string),
      amount, promptTokens, completionTokens, createdAt,
    };
  };

  return {
    createApiKey({ payer, label, rateLimitPerMinute }) {
      if (rateLimitPerMinute !== undefined && (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1)) {
        throw new LedgerError(`rateLimitPerMinute must be a positive integer (got ${rateLimitPerMinute})`);
      }
      const keyId = `key_${randomBytes(8).toString("hex")}`;
      const apiKey = API_KEY_PREFIX + randomBytes(32).toString("base64url");
      q("INSERT INTO api_keys (key_id, payer, label, key_hash, rate_limit_per_minute, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
        keyId, getAddress(payer), label ?? null, sha256Hex(apiKey), rateLimitPerMinute ?? null, new Date().toISOString(),
      );
      return { keyId, apiKey };
    },

    authenticate(apiKey, now = new Date()): Caller {
      const fingerprint = sha256Hex(apiKey);
      return tx(() => {
        const r = q("SELECT * FROM api_keys WHERE key_hash = ?").get(fingerprint) as Row | undefined;
        if (!r) throw new UnknownApiKeyError();
        const keyId = r.key_id as string;
        if (r.revoked_at) throw new RevokedApiKeyError(keyId);
        if (r.rate_limit_per_minute !== null) {
          const limit = Number(r.rate_limit_per_minute);
          const nowMs = now.getTime();
          q("DELETE FROM rate_hits WHERE key_id = ? AND at_ms <= ?").run(keyId, nowMs - RATE_WINDOW_MS);
          const hits = q("SELECT at_ms FROM rate_hits WHERE key_id = ? ORDER BY at_ms").all(keyId) as Row[];
          if (hits.length >= limit) {
            // The window frees up when the oldest hit that keeps it full leaves it.
            const freeing = Number(hits[hits.length - limit].at_ms);
            throw new RateLimitedError(keyId, limit, Math.max(1, freeing + RATE_WINDOW_MS - nowMs));
          }
          q("INSERT INTO rate_hits (key_id, at_ms) VALUES (?, ?)").run(keyId, nowMs);
        }
        return { keyId, payer: r.payer as Address, fingerprint };
      }, { durable: false });
    },

    revokeApiKey(keyId) {
      const r = q("SELECT revoked_at FROM api_keys WHERE key_id = ?").get(keyId) as Row | undefined;
      if (!r) throw new UnknownKeyIdError(keyId);
      q("UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL").run(new Date().toISOString(), keyId);
    },

    listApiKeys(payer) {
      const rows = payer
        ? (q("SELECT * FROM api_keys WHERE payer = ? ORDER BY created_at, key_id").all(getAddress(payer)) as Row[])
        : (q("SELECT * FROM api_keys ORDER BY created_at, key_id").all() as Row[]);
      return rows.map(keyInfo);
    },

    recordChainEvents({ deposits, withdrawals, debits = [], toBlock }) {
      return tx(() => {
        const cursor = q("SELECT block FROM sync_cursor WHERE id = 1").get() as Row | undefined;
        if (cursor && BigInt(cursor.block as string) > toBlock) {
          throw new LedgerError(`sync cursor is at block ${cursor.block}; refusing to move it back to ${toBlock}`);
        }
        let d = 0;
        let w = 0;
        let f = 0;
        const insD = q("INSERT OR IGNORE INTO deposits (deposit_id, payer, asset, amount, block_number) VALUES (?, ?, ?, ?, ?)");
        const undefer = q("UPDATE charges SET deferred_at = NULL WHERE payer = ? AND asset = ? AND deferred_at IS NOT NULL");
        for (const e of deposits) {
          nonNegative("a deposit", e.amount);
          const P = getAddress(e.payer);
          const A = getAddress(e.asset);
          if (insD.run(e.depositId, P, A, e.amount.toString(), e.blockNumber.toString()).changes === 0) continue;
          d++;
          changeCredit(q, P, A, (c) => (c.deposited += e.amount));
          undefer.run(P, A); // the next settlement tries the payer's deferred charges again
        }
        // Debits of batches this ledger never created: someone else's settlement took them.
        const ours = q("SELECT 1 FROM batches WHERE batch_id = ?");
        const insF = q("INSERT OR IGNORE INTO foreign_debits (event_id, batch_id, payer, asset, amount, block_number) VALUES (?, ?, ?, ?, ?, ?)");
        for (const e of debits) {
          nonNegative("a settlement debit", e.amount);
          const batchId = e.batchId.toLowerCase();
          if (ours.get(batchId)) continue;
          const P = getAddress(e.payer);
          const A = getAddress(e.asset);
          if (insF.run(e.eventId, batchId, P, A, e.amount.toString(), e.blockNumber.toString()).changes === 0) continue;
          f++;
          changeCredit(q, P, A, (c) => (c.debitedElsewhere += e.amount));
        }
        // In chain order, so a request and the cancel or withdrawal after it apply in that order.
        const insW = q("INSERT OR IGNORE INTO withdrawal_events (event_id, kind, payer, asset, amount, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?, ?)");
        for (const e of [...withdrawals].sort(compareChainOrder)) {
          nonNegative("a withdrawal event", e.amount);
          if (!WITHDRAWAL_KINDS.has(e.kind)) throw new LedgerError(`unknown withdrawal event kind ${JSON.stringify(e.kind)}`);
          if (!Number.isInteger(e.logIndex) || e.logIndex < 0) throw new LedgerError(`a log index is a non-negative integer (got ${e.logIndex})`);
          const P = getAddress(e.payer);
          const A = getAddress(e.asset);
          if (insW.run(e.eventId, e.kind, P, A, e.amount.toString(), e.blockNumber.toString(), e.logIndex).changes === 0) continue;
          w++;
          changeCredit(q, P, A, (c) => applyWithdrawalEvent(c, e));
        }
        q("INSERT INTO sync_cursor (id, block) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET block = excluded.block").run(toBlock.toString());
        return { deposits: d, withdrawals: w, debitsElsewhere: f };
      });
    },

    syncCursor() {
      const r = q("SELECT block FROM sync_cursor WHERE id = 1").get() as Row | undefined;
      return r ? BigInt(r.block as string) : null;
    },

    availableCredit(payer, asset) {
      return available(getAddress(payer), getAddress(asset));
    },

    payerCredit(payer, asset) {
      const P = getAddress(payer);
      const A = getAddress(asset);
      const c = readCredit(q, P, A);
      const free = spendable(c);
      const open = q("SELECT c.amount, c.deferred_at FROM charges c LEFT JOIN batches b ON b.batch_id = c.batch_id WHERE c.payer = ? AND c.asset = ? AND b.tx_hash IS NULL").all(P, A) as Row[];
      return {
        available: free > 0n ? free : 0n,
        short: free < 0n ? -free : 0n,
        reserved: c.reserved,
        unsettled: sum(open),
        deferred: sum(open.filter((r) => r.deferred_at !== null)),
        pendingWithdrawal: c.pendingWithdrawal,
      };
    },

    reserve({ payer, asset, ingotId, amount }) {
      nonNegative("a reservation", amount);
      const P = getAddress(payer);
      const A = getAddress(asset);
      return tx(() => {
        const free = available(P, A);
        if (free < amount) throw new InsufficientCreditError(P, A, free < 0n ? 0n : free, amount, free < 0n ? -free : 0n);
        const reservationId = `res_${randomUUID()}`;
        q("INSERT INTO reservations (reservation_id, payer, asset, ingot_id, amount, status, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?)").run(
          reservationId, P, A, ingotId.toString(), amount.toString(), new Date().toISOString(),
        );
        changeCredit(q, P, A, (c) => (c.reserved += amount));
        return reservationId;
      }, { durable: false });
    },

    commitCharge(p) {
      return tx(() => commitOne(p));
    },

    commitCharges(calls) {
      if (calls.length === 0) return [];
      return tx(() =>
        calls.map((p): CommitOutcome => {
          // Each call in its own savepoint: one that fails leaves the others' writes in place.
          db.exec("SAVEPOINT charge");
          try {
            const charge = commitOne(p);
            db.exec("RELEASE charge");
            return { ok: true, charge };
          } catch (error) {
            db.exec("ROLLBACK TO charge");
            db.exec("RELEASE charge");
            return { ok: false, error };
          }
        }),
      );
    },

    releaseReservation(reservationId) {
      tx(() => {
        const r = q("SELECT payer, asset, amount, status FROM reservations WHERE reservation_id = ?").get(reservationId) as Row | undefined;
        if (!r) throw new ReservationNotOpenError(reservationId, "missing");
        if (r.status === "committed") throw new ReservationNotOpenError(reservationId, "committed");
        if (r.status === "released") return;
        q("UPDATE reservations SET status = 'released' WHERE reservation_id = ?").run(reservationId);
        changeCredit(q, r.payer as string, r.asset as string, (c) => (c.reserved -= BigInt(r.amount as string)));
      }, { durable: false });
    },

    takeServingLease({ owner, ttlMs, now = Date.now(), replacing }) {
      if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new LedgerError(`ttlMs must be a positive integer (got ${ttlMs})`);
      return tx(() => {
        const r = q("SELECT owner, pid, host, renewed_at_ms FROM serving_lease WHERE id = 1").get() as Row | undefined;
        if (r && r.owner !== owner && r.owner !== replacing) {
          const renewedMsAgo = now - Number(r.renewed_at_ms);
          if (renewedMsAgo < ttlMs) throw new LedgerInUseError({ owner: r.owner as string, pid: Number(r.pid), host: r.host as string, renewedMsAgo }, ttlMs);
        }
        q(`INSERT INTO serving_lease (id, owner, pid, host, acquired_at, renewed_at_ms) VALUES (1, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at, renewed_at_ms = excluded.renewed_at_ms`).run(
          owner, process.pid, hostname(), new Date(now).toISOString(), now,
        );
        // The previous holder is gone (its lease expired or it let go): its open reservations delivered nothing.
        const open = q("SELECT reservation_id, payer, asset, amount FROM reservations WHERE status = 'open'").all() as Row[];
        for (const o of open) {
          q("UPDATE reservations SET status = 'released' WHERE reservation_id = ?").run(o.reservation_id as string);
          changeCredit(q, o.payer as string, o.asset as string, (c) => (c.reserved -= BigInt(o.amount as string)));
        }
        return { releasedReservations: open.length };
      });
    },

    renewServingLease(owner, now = Date.now()) {
      tx(() => {
        const r = q("SELECT owner FROM serving_lease WHERE id = 1").get() as Row | undefined;
        if (!r || r.owner !== owner) throw new ServingLeaseLostError(owner, (r?.owner as string | undefined) ?? null);
        q("UPDATE serving_lease SET renewed_at_ms = ? WHERE id = 1").run(now);
      });
    },

    releaseServingLease(owner) {
      tx(() => void q("DELETE FROM serving_lease WHERE id = 1 AND owner = ?").run(owner));
    },

    createBatch({ asset, maxCharges }) {
      if (!Number.isInteger(maxCharges) || maxCharges < 1) throw new LedgerError(`maxCharges must be a positive integer (got ${maxCharges})`);
      const A = getAddress(asset);
      return tx(() => {
        const rows = q("SELECT charge_id FROM charges WHERE asset = ? AND batch_id IS NULL AND deferred_at IS NULL ORDER BY seq LIMIT ?").all(A, maxCharges) as Row[];
        if (rows.length === 0) return null;
        const ids = rows.map((r) => r.charge_id as string);
        const batchId = batchIdOf(ids);
        q("INSERT INTO batches (batch_id, asset, created_at) VALUES (?, ?, ?)").run(batchId, A, new Date().toISOString());
        const mark = q("UPDATE charges SET batch_id = ? WHERE charge_id = ? AND batch_id IS NULL");
        for (const id of ids) mark.run(batchId, id);
        return batchOf(batchId, A);
      });
    },

    settlementBacklog(asset): SettlementBacklog {
      const A = getAddress(asset);
      const rows = q("SELECT amount, created_at FROM charges WHERE asset = ? AND batch_id IS NULL AND deferred_at IS NULL ORDER BY seq").all(A) as Row[];
      const withdrawing = q(
        `SELECT DISTINCT c.payer FROM charges c JOIN credit k ON k.payer = c.payer AND k.asset = c.asset
         WHERE c.asset = ? AND c.batch_id IS NULL AND c.deferred_at IS NULL AND k.pending_withdrawal <> '0' ORDER BY c.payer`,
      ).all(A) as Row[];
      return {
        charges: rows.length,
        amount: sum(rows),
        oldestChargeAt: rows.length > 0 ? (rows[0].created_at as string) : null,
        withdrawingPayers: withdrawing.map((r) => r.payer as Address),
      };
    },

    refuseBatch({ batchId, payer, balance }) {
      nonNegative("a balance", balance);
      const P = getAddress(payer);
      return tx(() => {
        const b = q("SELECT asset, tx_hash FROM batches WHERE batch_id = ?").get(batchId) as Row | undefined;
        if (!b) throw new UnknownBatchError(batchId);
        if (b.tx_hash) throw new LedgerError(`batch ${batchId} is settled on chain; it cannot be refused`);
        const rows = q("SELECT charge_id, payer, amount FROM charges WHERE batch_id = ? ORDER BY seq").all(batchId) as Row[];
        const own = rows.filter((r) => r.payer === P);
        if (own.length === 0) throw new LedgerError(`batch ${batchId} debits nothing from ${P}`);
        // Keep the payer's oldest charges that the balance covers; defer the rest.
        let covered = 0n;
        let deferredAmount = 0n;
        const deferred: string[] = [];
        for (const r of own) {
          const amount = BigInt(r.amount as string);
          if (covered + amount <= balance) {
            covered += amount;
          } else {
            deferred.push(r.charge_id as string);
            deferredAmount += amount;
          }
        }
        if (deferred.length === 0) throw new LedgerError(`a balance of ${balance} covers ${P}'s debit of ${covered} in batch ${batchId}; nothing to defer`);
        const now = new Date().toISOString();
        q(`INSERT INTO batch_refusals (batch_id, asset, payer, balance, debit, charge_ids, deferred_charge_ids, refused_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
          batchId, b.asset as string, P, balance.toString(), (covered + deferredAmount).toString(),
          JSON.stringify(rows.map((r) => r.charge_id)), JSON.stringify(deferred), now,
        );
        q("UPDATE charges SET batch_id = NULL WHERE batch_id = ?").run(batchId);
        const defer = q("UPDATE charges SET deferred_at = ? WHERE charge_id = ?");
        for (const id of deferred) defer.run(now, id);
        // A batch is refused only when none of its sends can still be mined (settlePending sends
        // nothing while one is open), so its sends are history with nothing left to replace.
        q("DELETE FROM settlement_sends WHERE batch_id = ?").run(batchId);
        q("DELETE FROM batches WHERE batch_id = ?").run(batchId);
        return { deferredChargeIds: deferred, deferredAmount, requeued: rows.length - deferred.length };
      });
    },

    recordSettlementSend(send) {
      if (!Number.isSafeInteger(send.nonce) || send.nonce < 0) throw new LedgerError(`a nonce must be a non-negative integer (got ${send.nonce})`);
      nonNegative("maxFeePerGas", send.maxFeePerGas);
      nonNegative("maxPriorityFeePerGas", send.maxPriorityFeePerGas);
      tx(() => {
        const b = q("SELECT tx_hash FROM batches WHERE batch_id = ?").get(send.batchId) as Row | undefined;
        if (!b) throw new UnknownBatchError(send.batchId);
        if (b.tx_hash) throw new LedgerError(`batch ${send.batchId} is settled on chain; no transaction is sent for it`);
        q(`INSERT INTO settlement_sends (batch_id, kind, nonce, max_fee_per_gas, max_priority_fee_per_gas, sent_at_ms, tx_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (batch_id, kind, nonce, max_fee_per_gas, max_priority_fee_per_gas) DO UPDATE SET tx_hash = COALESCE(excluded.tx_hash, tx_hash)`).run(
          send.batchId, send.kind, send.nonce, send.maxFeePerGas.toString(), send.maxPriorityFeePerGas.toString(), Math.floor(send.sentAtMs), send.txHash ?? null,
        );
      });
    },

    settlementSends(batchId) {
      const rows = q("SELECT * FROM settlement_sends WHERE batch_id = ? ORDER BY seq").all(batchId) as Row[];
      return rows.map((r) => ({
        batchId: r.batch_id as Hex,
        kind: r.kind as "settle" | "cancel",
        nonce: Number(r.nonce),
        maxFeePerGas: BigInt(r.max_fee_per_gas as string),
        maxPriorityFeePerGas: BigInt(r.max_priority_fee_per_gas as string),
        sentAtMs: Number(r.sent_at_ms),
        ...(r.tx_hash ? { txHash: r.tx_hash as Hex } : {}),
      }));
    },

    pendingBatches() {
      const rows = q("SELECT batch_id, asset FROM batches WHERE tx_hash IS NULL ORDER BY seq").all() as Row[];
      return rows.map((r) => batchOf(r.batch_id as string, r.asset as string));
    },

    markBatchSettled(batchId, { txHash }) {
      const r = q("SELECT tx_hash FROM batches WHERE batch_id = ?").get(batchId) as Row | undefined;
      if (!r) throw new UnknownBatchError(batchId);
      q("UPDATE batches SET tx_hash = ?, settled_at = ? WHERE batch_id = ? AND tx_hash IS NULL").run(txHash, new Date().toISOString(), batchId);
    },

    getCharge(chargeId) {
      const r = q("SELECT c.*, b.tx_hash FROM charges c LEFT JOIN batches b ON b.batch_id = c.batch_id WHERE c.charge_id = ?").get(chargeId) as Row | undefined;
      return r ? chargeOf(r) : null;
    },

    saveProof(proofId, chargeId, json) {
      q("INSERT INTO proofs (proof_id, charge_id, json) VALUES (?, ?, ?)").run(proofId, chargeId, json);
    },

    getProof(proofId) {
      const r = q("SELECT * FROM proofs WHERE proof_id = ?").get(proofId) as Row | undefined;
      return r ? { proofId: r.proof_id as string, chargeId: r.charge_id as string, json: r.json as string } : null;
    },

    pendingWitnesses(limit = 1_000_000) {
      return (q("SELECT proof_id, chain_hash FROM witness_queue ORDER BY seq LIMIT ?").all(limit) as Row[]).map((r) => ({ proofId: r.proof_id as string, chainHash: r.chain_hash as string }));
    },

    removePendingWitnesses(proofIds) {
      if (proofIds.length === 0) return;
      tx(() => {
        for (const id of proofIds) q("DELETE FROM witness_queue WHERE proof_id = ?").run(id);
      }, { durable: false });
    },

    totals(asset): LedgerTotals {
      const A = getAddress(asset);
      const charges = q("SELECT c.amount, c.batch_id, c.deferred_at, b.tx_hash FROM charges c LEFT JOIN batches b ON b.batch_id = c.batch_id WHERE c.asset = ?").all(A) as Row[];
      const settled = charges.filter((r) => r.tx_hash);
      return {
        deposited: sum(q("SELECT amount FROM deposits WHERE asset = ?").all(A) as Row[]),
        withdrawn: sum(q("SELECT amount FROM withdrawal_events WHERE asset = ? AND kind = 'withdrawn'").all(A) as Row[]),
        pendingWithdrawals: [...computeCreditFromRows(q).entries()].filter(([key]) => key.endsWith(`|${A}`)).reduce((acc, [, c]) => acc + c.pendingWithdrawal, 0n),
        charged: sum(charges),
        batched: sum(charges.filter((r) => r.batch_id)),
        settled: sum(settled),
        deferred: sum(charges.filter((r) => r.deferred_at !== null)),
        debitedElsewhere: sum(q("SELECT amount FROM foreign_debits WHERE asset = ?").all(A) as Row[]),
        reserved: sum(q("SELECT amount FROM reservations WHERE asset = ? AND status = 'open'").all(A) as Row[]),
        chargeCount: charges.length,
        settledChargeCount: settled.length,
      };
    },

    close() {
      db.close();
    },
  };
}
