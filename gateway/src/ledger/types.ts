import type { Address, Hex } from "viem";
import type { Asset, Caller, Charge, DebitRecord, DepositRecord, PayerCredit, SettlementBatch, SettlementSend, WithdrawalEventRecord } from "../types.js";

/** One API key as listed (never its plaintext nor its hash). */
export interface ApiKeyInfo {
  keyId: string;
  payer: Address;
  label: string | null;
  /** Requests per rolling minute; null = unlimited. */
  rateLimitPerMinute: number | null;
  createdAt: string;
  revokedAt: string | null;
}

/** One call's charge, as `commitCharge` takes it. */
export interface CommitChargeParameters {
  reservationId: string;
  amount: bigint;
  promptTokens: number;
  completionTokens: number;
  chargeId?: string;
  /**
   * The call's proof, kept with the charge. With `chainHash` (64 hex, the proof's `hashes.chain`),
   * it is also queued for its batch witness in the same transaction (`pendingWitnesses`).
   */
  proof?: { proofId: string; json: string; chainHash?: string };
}

/** What `commitCharges` did with one call. */
export type CommitOutcome = { ok: true; charge: Charge } | { ok: false; error: unknown };

/** The charges in one asset that wait to be batched (unbatched and not deferred), for the decision to settle them now or wait. */
export interface SettlementBacklog {
  charges: number;
  amount: bigint;
  /** When the oldest of them was committed (ISO 8601); null when there are none. */
  oldestChargeAt: string | null;
  /** Payers among them with an open withdrawal request: their charges must be settled before the request matures. */
  withdrawingPayers: Address[];
}

/** Sums over the whole ledger for one asset, for conservation checks. */
export interface LedgerTotals {
  deposited: bigint;
  /** Paid out by `withdraw` on chain. */
  withdrawn: bigint;
  /** Open withdrawal requests (each payer's latest, unless cancelled or withdrawn), recomputed from the events. */
  pendingWithdrawals: bigint;
  /** All committed charges. */
  charged: bigint;
  /** Committed charges in a batch (pending or settled). */
  batched: bigint;
  /** Committed charges in a batch confirmed on chain. */
  settled: bigint;
  /** Committed charges waiting for their payer's next deposit (see `refuseBatch`). */
  deferred: bigint;
  /** Debits of settlements this ledger did not make (`Charged` events of batches it does not know). */
  debitedElsewhere: bigint;
  /** Open reservations. */
  reserved: bigint;
  chargeCount: number;
  settledChargeCount: number;
}

/**
 * The gateway's ledger over SQLite. Every method is synchronous; every change that touches
 * more than one row runs in one `BEGIN IMMEDIATE` transaction, so a crash leaves either all of
 * it or none of it.
 */
export interface Ledger {
  /** Issue a key for `payer`. The plaintext `apiKey` is returned once; only its SHA-256 is stored. */
  createApiKey(p: { payer: Address; label?: string; rateLimitPerMinute?: number }): { keyId: string; apiKey: string };
  /**
   * Resolve a bearer key to its Caller and count the request against the key's rate limit
   * (rolling 60 s window). Throws UnknownApiKeyError, RevokedApiKeyError, RateLimitedError.
   */
  authenticate(apiKey: string, now?: Date): Caller;
  /** Revoke a key at once (idempotent). Throws UnknownKeyIdError. */
  revokeApiKey(keyId: string): void;
  listApiKeys(payer?: Address): ApiKeyInfo[];

  /**
   * Record chain events up to `toBlock` together with the sync cursor, in one transaction; ids
   * already recorded are skipped. Withdrawal events are applied in chain order (block, log
   * index), whatever order they are given in. A deposit makes the payer's deferred charges
   * eligible for settlement again. A settlement debit of a batch this ledger created is already
   * counted as its charges and skipped; one of any other batch is a debit made elsewhere and
   * lowers the payer's credit. Returns how many of each were new.
   */
  recordChainEvents(p: { deposits: DepositRecord[]; withdrawals: WithdrawalEventRecord[]; debits?: DebitRecord[]; toBlock: bigint }): {
    deposits: number;
    withdrawals: number;
    debitsElsewhere: number;
  };
  /** The last block whose events are recorded, or null before the first sync. */
  syncCursor(): bigint | null;

  /**
   * Deposits − withdrawn − the open withdrawal request − committed charges − open reservations,
   * from the payer's running totals (one row; may be negative after a withdrawal request).
   */
  availableCredit(payer: Address, asset: Asset): bigint;
  /** The payer's standing in `asset`: spendable credit (or how short it is), holds, unsettled and deferred charges, the pending withdrawal. */
  payerCredit(payer: Address, asset: Asset): PayerCredit;
  /**
   * Hold `amount` of credit for one call. Throws InsufficientCreditError. Not fsynced (a crash
   * may lose the hold; the next process frees every open one when it takes the serving lease).
   */
  reserve(p: { payer: Address; asset: Asset; ingotId: bigint; amount: bigint }): string;
  /**
   * Turn a reservation into a charge of `amount` ≤ reserved, releasing the rest, in one durable
   * transaction, together with the call's proof when given (so a served call's charge and proof
   * are on disk together, or neither is). `chargeId` (default a fresh `chg_<uuid>`) lets the
   * caller sign a proof that names the charge before committing it; it must be unused.
   * Throws ReservationNotOpenError, ChargeExceedsReservationError, LedgerError (a malformed id).
   */
  commitCharge(p: CommitChargeParameters): Charge;
  /**
   * Commit several calls' charges (each as `commitCharge` would) in one durable transaction, so
   * that calls finishing together wait for one disk sync instead of one each. Each call gets its
   * own outcome, in order: one that fails (its reservation not open, a charge id in use) writes
   * nothing and leaves the others committed.
   */
  commitCharges(calls: readonly CommitChargeParameters[]): CommitOutcome[];
  /** Give an open reservation's credit back (idempotent on a released one). Not fsynced, like `reserve`. */
  releaseReservation(reservationId: string): void;
  /**
   * Become the one process serving from this ledger: refused with LedgerInUseError while another
   * owner's lease was renewed less than `ttlMs` ago (at `now`, default the clock). Taking it
   * releases every open reservation (they belong to the previous holder, gone) and returns how
   * many. Taking it again as the same owner just renews it. `replacing` names a holder known to be
   * dead (its process is gone): if it still holds the lease, it is taken at once.
   */
  takeServingLease(p: { owner: string; ttlMs: number; now?: number; replacing?: string }): { releasedReservations: number };
  /** Keep the lease. Throws ServingLeaseLostError when another owner took it (or it was released): stop serving then. */
  renewServingLease(owner: string, now?: number): void;
  /** Let the lease go (a no-op unless `owner` holds it), so the next process can take it at once. */
  releaseServingLease(owner: string): void;

  /** Batch up to `maxCharges` of the oldest unbatched charges in `asset` that are not deferred; null when there are none. */
  createBatch(p: { asset: Asset; maxCharges: number }): SettlementBatch | null;
  /** What `createBatch` would draw from in `asset`: how many charges, how much, since when, and whose payers are withdrawing. */
  settlementBacklog(asset: Asset): SettlementBacklog;
  /**
   * The contract refused `batchId` because `payer`'s deposit holds only `balance`, less than
   * their debit in it (they withdrew while their charges waited). In one transaction: the refusal
   * is recorded in `batch_refusals`, the batch is dissolved, its charges go back to the queue,
   * and the payer's charges in it that `balance` cannot cover (keeping the oldest that fit) are
   * deferred until the payer deposits again. The payer's credit is unchanged: they still owe the
   * deferred charges, so their credit stays negative and they cannot spend until they pay.
   * Throws UnknownBatchError, LedgerError (the batch is settled, does not debit `payer`, or
   * `balance` covers the debit).
   */
  refuseBatch(p: { batchId: Hex; payer: Address; balance: bigint }): { deferredChargeIds: string[]; deferredAmount: bigint; requeued: number };
  /**
   * Record a settlement transaction of a pending batch (fsynced): first before its broadcast,
   * then again with its hash (the same batch, kind, nonce and fees update that row). A refused
   * batch's sends go with it. Throws UnknownBatchError, LedgerError (the batch is settled).
   */
  recordSettlementSend(send: SettlementSend): void;
  /** The batch's sends, oldest first (the last one holds the only nonce that may still be open). */
  settlementSends(batchId: Hex): SettlementSend[];
  /** Batches created but not yet confirmed settled, oldest first. */
  pendingBatches(): SettlementBatch[];
  /** Record that the batch is settled on chain (idempotent). Throws UnknownBatchError. */
  markBatchSettled(batchId: Hex, p: { txHash: Hex }): void;
  getCharge(chargeId: string): Charge | null;
  saveProof(proofId: string, chargeId: string, json: string): void;
  getProof(proofId: string): { proofId: string; chargeId: string; json: string } | null;
  /** Proofs committed with a `chainHash` and not yet marked batched, in commit order (at most `limit`). */
  pendingWitnesses(limit?: number): { proofId: string; chainHash: string }[];
  /** These proofs are in a stored witness batch: take them off the queue (unknown ids are ignored). Not fsynced: a lost removal only re-queues proofs the witness store already holds, which the batcher skips. */
  removePendingWitnesses(proofIds: readonly string[]): void;
  totals(asset: Asset): LedgerTotals;
  close(): void;
}
