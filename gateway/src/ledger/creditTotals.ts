import type { StatementSync } from "node:sqlite";
import { compareChainOrder } from "../compareChainOrder.js";

/**
 * One payer's running totals in one asset (the `credit` table), the ledger's only record of
 * what a payer may spend. Every change goes through `changeCredit`, inside the transaction that
 * makes the change, so the row always equals what the rows it summarises add up to
 * (`rebuildCredit` recomputes it from them; the ledger tests compare the two).
 */
export interface CreditTotals {
  deposited: bigint;
  /** Paid out by `withdraw` on chain. */
  withdrawn: bigint;
  /** The payer's open withdrawal request: the latest one, unless cancelled or withdrawn since. */
  pendingWithdrawal: bigint;
  /** Committed charges, settled or not (deferred ones too: the payer still owes them). */
  charged: bigint;
  /**
   * Debits the chain made in settlements this ledger did not create (`Charged` events of unknown
   * batches): a lost or older copy of this ledger's, or another gateway's on the same contract.
   */
  debitedElsewhere: bigint;
  /** Open reservations. */
  reserved: bigint;
  /** Chain position of the last withdrawal event applied; an older one cannot change `pendingWithdrawal`. */
  lastWithdrawal: { blockNumber: bigint; logIndex: number } | null;
}

/** A withdrawal event as `applyWithdrawalEvent` needs it. */
export interface WithdrawalEventLike {
  kind: "requested" | "cancelled" | "withdrawn";
  amount: bigint;
  blockNumber: bigint;
  logIndex: number;
}

/**
 * What the payer may still spend: deposits − withdrawn − pending withdrawal − charged − debited
 * elsewhere − reserved (negative after a request for more than is free, or while charges the
 * deposit could not cover wait for the next deposit).
 */
export function spendable(c: CreditTotals): bigint {
  return c.deposited - c.withdrawn - c.pendingWithdrawal - c.charged - c.debitedElsewhere - c.reserved;
}

/**
 * Apply one withdrawal event, as GatewayDeposits does: a request replaces the pending one, a
 * cancel ends it, a withdrawal ends it and counts what it paid out. An event older in chain order
 * than the last one applied still counts its payout but leaves the pending request alone.
 */
export function applyWithdrawalEvent(c: CreditTotals, e: WithdrawalEventLike): void {
  if (e.kind === "withdrawn") c.withdrawn += e.amount;
  if (c.lastWithdrawal !== null && compareChainOrder(e, c.lastWithdrawal) <= 0) return;
  c.pendingWithdrawal = e.kind === "requested" ? e.amount : 0n;
  c.lastWithdrawal = { blockNumber: e.blockNumber, logIndex: e.logIndex };
}

type Row = Record<string, string | number | bigint | null | Uint8Array>;
type Query = (sql: string) => StatementSync;

const zero = (): CreditTotals => ({ deposited: 0n, withdrawn: 0n, pendingWithdrawal: 0n, charged: 0n, debitedElsewhere: 0n, reserved: 0n, lastWithdrawal: null });

/** The totals of `payer` in `asset` (all zero when the payer has none). */
export function readCredit(q: Query, payer: string, asset: string): CreditTotals {
  const r = q("SELECT * FROM credit WHERE payer = ? AND asset = ?").get(payer, asset) as Row | undefined;
  if (!r) return zero();
  return {
    deposited: BigInt(r.deposited as string),
    withdrawn: BigInt(r.withdrawn as string),
    pendingWithdrawal: BigInt(r.pending_withdrawal as string),
    charged: BigInt(r.charged as string),
    debitedElsewhere: BigInt(r.debited_elsewhere as string),
    reserved: BigInt(r.reserved as string),
    lastWithdrawal: r.last_withdrawal_block === null ? null : { blockNumber: BigInt(r.last_withdrawal_block as string), logIndex: Number(r.last_withdrawal_log) },
  };
}

/** The one door for every change to a payer's credit: read the row, let `change` edit it, write it back. Call inside a transaction. */
export function changeCredit(q: Query, payer: string, asset: string, change: (c: CreditTotals) => void): CreditTotals {
  const c = readCredit(q, payer, asset);
  change(c);
  q(`INSERT INTO credit (payer, asset, deposited, withdrawn, pending_withdrawal, charged, debited_elsewhere, reserved, last_withdrawal_block, last_withdrawal_log)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (payer, asset) DO UPDATE SET deposited = excluded.deposited, withdrawn = excluded.withdrawn,
       pending_withdrawal = excluded.pending_withdrawal, charged = excluded.charged, debited_elsewhere = excluded.debited_elsewhere,
       reserved = excluded.reserved, last_withdrawal_block = excluded.last_withdrawal_block, last_withdrawal_log = excluded.last_withdrawal_log`).run(
    payer, asset, c.deposited.toString(), c.withdrawn.toString(), c.pendingWithdrawal.toString(), c.charged.toString(), c.debitedElsewhere.toString(), c.reserved.toString(),
    c.lastWithdrawal?.blockNumber.toString() ?? null, c.lastWithdrawal?.logIndex ?? null,
  );
  return c;
}

/**
 * Every payer's totals recomputed from the rows they summarise (deposits, withdrawal events in
 * chain order, charges, debits of other ledgers' settlements, open reservations), keyed `<payer>|<asset>`. Reads only.
 */
export function computeCreditFromRows(q: Query): Map<string, CreditTotals> {
  const all = new Map<string, CreditTotals>();
  const of = (r: Row) => {
    const key = `${r.payer as string}|${r.asset as string}`;
    let c = all.get(key);
    if (!c) all.set(key, (c = zero()));
    return c;
  };
  for (const r of q("SELECT payer, asset, amount FROM deposits").all() as Row[]) of(r).deposited += BigInt(r.amount as string);
  for (const r of q("SELECT payer, asset, amount FROM charges").all() as Row[]) of(r).charged += BigInt(r.amount as string);
  for (const r of q("SELECT payer, asset, amount FROM reservations WHERE status = 'open'").all() as Row[]) of(r).reserved += BigInt(r.amount as string);
  for (const r of q("SELECT payer, asset, amount FROM foreign_debits").all() as Row[]) of(r).debitedElsewhere += BigInt(r.amount as string);
  const events = (q("SELECT payer, asset, kind, amount, block_number, log_index FROM withdrawal_events").all() as Row[])
    .map((r) => ({ r, e: { kind: r.kind as WithdrawalEventLike["kind"], amount: BigInt(r.amount as string), blockNumber: BigInt(r.block_number as string), logIndex: Number(r.log_index) } }))
    .sort((a, b) => compareChainOrder(a.e, b.e));
  for (const { r, e } of events) applyWithdrawalEvent(of(r), e);
  return all;
}

/** Replace the `credit` table with `computeCreditFromRows` (after a migration). Call inside a transaction. */
export function rebuildCredit(q: Query): void {
  q("DELETE FROM credit").run();
  for (const [key, totals] of computeCreditFromRows(q)) {
    const [payer, asset] = key.split("|");
    changeCredit(q, payer, asset, (c) => Object.assign(c, totals));
  }
}
