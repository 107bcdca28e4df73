import type { Address, Hex } from "viem";
import { GatewayChainError, insufficientDepositOf } from "../chain/errors.js";
import type { Ledger } from "../ledger/types.js";
import type { Asset, PreparedSend, SettlementBatch, SettlementChain } from "../types.js";

export type SettlePendingParameters = {
  ledger: Ledger;
  chain: SettlementChain;
  asset: Asset;
  /** Most charges per settlement transaction. */
  maxCharges: number;
  /** A settlement transaction still not mined this long after it was sent is replaced: same nonce, higher fees (default 180 s, viem's receipt wait). */
  replaceAfterMs?: number;
  /** When set, a new batch waits until it is worth its gas (see BatchHold); by default every charge is batched at once. */
  hold?: BatchHold;
  now?: () => number;
};

/**
 * When charges wait to be batched instead of being settled at once: while the charges not yet
 * batched in the asset add up to less than `minAmount`, for at most `maxDelayMs` after the
 * oldest of them was committed. Each batch is one transaction with a fixed cost on top of what
 * each charge adds (on EDR a one-charge batch took 83,919 gas, a 50-charge one about 10,700 a
 * charge), so many small charges settled one by one can cost the settler more than they pay the
 * Ingots. Charges of a payer with an open withdrawal request are never held: they must
 * be settled before the request matures, or that payer's deposit may be gone.
 */
export interface BatchHold {
  /** In the asset's base unit (wei for ETH). */
  minAmount: bigint;
  maxDelayMs: number;
}

/** Charges left unbatched by a BatchHold. */
export interface HeldBacklog {
  charges: number;
  amount: bigint;
  /** When the oldest of them is due to be batched whatever the amount (ms since the epoch, on `now`'s clock). */
  dueAtMs: number;
}

/** What one settlePending pass did. */
export type SettlePendingReturnType = {
  /** Batches now marked settled (sent now, or found already settled on chain). */
  batches: number;
  /** Charges in those batches. */
  charges: number;
  /** Gas of the transactions this pass sent. */
  gasUsed: bigint;
  /** Batches the chain had already settled (a previous process sent them). */
  alreadySettled: number;
  txHashes: Hex[];
  /** Batches the contract refused because a payer's deposit no longer covered their debit; each was dissolved (see Ledger.refuseBatch). */
  refusals: BatchRefusal[];
  /** The charges this pass left unbatched under `hold`; null when none were held. */
  held: HeldBacklog | null;
};

/** One refused batch: whose deposit fell short, and which of their charges now wait for their next deposit. */
export interface BatchRefusal {
  batchId: Hex;
  payer: Address;
  balance: bigint;
  debit: bigint;
  deferredChargeIds: string[];
  deferredAmount: bigint;
}

/**
 * Settle every charge in `asset`: first the batches an earlier pass created but did not see
 * confirmed (the chain says whether they landed; if not they are sent again under the same
 * batch id, which the contract accepts once), then new batches of the oldest unbatched charges
 * until none are left, or until what is left is too little to be worth a transaction yet
 * (`hold`). A crash at any point loses nothing and settles nothing twice: batches
 * are persisted before their transaction, and their ids are derived from their charges.
 *
 * A batch the contract refuses with `InsufficientDeposit` (a payer withdrew while their charges
 * waited, e.g. the gateway was down longer than the withdrawal delay) would otherwise block
 * every later settlement. It is dissolved instead: the payer's charges their balance cannot
 * cover are deferred until they deposit again, and the rest are batched again in this pass, so
 * one short payer never holds up what the others owe the Ingots. Any other refusal is thrown.
 *
 * No new batch is sent, and so none is refused or dissolved, while the settler has a
 * transaction waiting to be mined (a retryable error): at most one settlement is in flight, and
 * a batch whose earlier transaction may still land is never dissolved.
 *
 * Every settlement transaction is recorded in the ledger (nonce, fees) before it is broadcast.
 * One whose nonce is still open after `replaceAfterMs` (stuck below the base fee, dropped, or
 * never broadcast because the process died) is replaced at the same nonce with fees 12.5 %
 * higher, or at least the node's current estimate. Until then the round waits for it with a
 * retryable error. It also waits while an earlier nonce of the settler, not this batch's, is
 * unmined, since raising this one's fees could not help. If the contract now refuses that
 * batch, its nonce is first taken by a transfer of 0 to the settler (`cancelSend`), so the old
 * transaction can never land, and only then is the batch dissolved. A batch found settled is
 * marked with the recorded send that settled it.
 */
export async function settlePending(p: SettlePendingParameters): Promise<SettlePendingReturnType> {
  const summary: SettlePendingReturnType = { batches: 0, charges: 0, gasUsed: 0n, alreadySettled: 0, txHashes: [], refusals: [], held: null };

  const now = p.now ?? Date.now;
  const replaceAfterMs = p.replaceAfterMs ?? 180_000;
  // Sends are stamped with this pass's clock, the one their age is measured by.
  const record = (send: PreparedSend) => p.ledger.recordSettlementSend({ ...send, sentAtMs: now() });

  const counted = (batch: SettlementBatch) => {
    summary.batches += 1;
    summary.charges += batch.chargeIds.length;
  };

  /** Send `batch` (in place of `replacing`, when given) and mark it settled. */
  const send = async (batch: SettlementBatch, replacing?: PreparedSend): Promise<void> => {
    const result = await p.chain.settleBatch(batch, { ...(replacing ? { replacing } : {}), onSend: record });
    if (result.status === "settled") {
      p.ledger.markBatchSettled(batch.batchId, { txHash: result.txHash });
      summary.gasUsed += result.gasUsed;
      summary.txHashes.push(result.txHash);
    } else {
      p.ledger.markBatchSettled(batch.batchId, { txHash: ALREADY_SETTLED_TX });
      summary.alreadySettled += 1;
    }
    counted(batch);
  };

  const settle = async (batch: SettlementBatch): Promise<void> => {
    const sends = p.ledger.settlementSends(batch.batchId);
    if (await p.chain.isBatchSettled(batch.batchId)) {
      // Settled by one of its recorded sends (mined after all), or by a transaction this ledger never recorded.
      const hashes = sends.flatMap((s) => (s.kind === "settle" && s.txHash ? [s.txHash] : []));
      const txHash = (hashes.length > 0 ? await p.chain.findSuccessfulTransaction(hashes) : undefined) ?? ALREADY_SETTLED_TX;
      p.ledger.markBatchSettled(batch.batchId, { txHash });
      summary.alreadySettled += 1;
      counted(batch);
      return;
    }
    const last = sends.at(-1);
    const latest = await p.chain.latestNonce();
    if (last && last.nonce > latest) {
      // A transaction at an earlier nonce, not this batch's, must be mined first: raising this one's fees would not help.
      throw new GatewayChainError(`batch ${batch.batchId}: its transaction has nonce ${last.nonce}, but the settler's nonce ${latest} is not mined yet (a transaction this ledger did not send); it waits for that one`, { retryable: true });
    }
    if (last && last.nonce === latest) {
      // This batch's last transaction may still be mined: wait for it, or replace it.
      const waited = now() - last.sentAtMs;
      if (waited < replaceAfterMs) {
        throw new GatewayChainError(
          `batch ${batch.batchId}: its ${last.kind} transaction ${last.txHash ?? "(broadcast not confirmed)"} (nonce ${last.nonce}) is not mined yet; it is replaced with higher fees if it still is not in ${Math.ceil((replaceAfterMs - waited) / 1000)} s`,
          { retryable: true },
        );
      }
      try {
        await send(batch, last);
      } catch (error) {
        if (!insufficientDepositOf(error)) throw error;
        // The contract refuses the batch now, but the transaction at that nonce could still land
        // (say the payer deposits again): take the nonce first, then look again.
        await p.chain.cancelSend(last, { onSend: record });
        await settle(batch);
      }
      return;
    }
    // One settlement transaction in flight at a time. One still waiting to be mined that this
    // ledger did not record (sent by an older version, or by another holder of the key) may be
    // this very batch: a second would queue behind it and could only revert, at the settler's
    // cost, and dissolving the batch after a refusal could settle its charges twice.
    // A batch of another asset whose transaction is still open holds the next nonce as well.
    const open = p.ledger.pendingBatches().find((b) => (p.ledger.settlementSends(b.batchId).at(-1)?.nonce ?? -1) >= latest);
    if (open) {
      throw new GatewayChainError(`batch ${batch.batchId} is not sent: batch ${open.batchId} (${open.asset}) has a transaction not yet mined; this one is sent once that one is mined or replaced`, { retryable: true });
    }
    if (await p.chain.hasPendingTransactions()) {
      throw new GatewayChainError(`batch ${batch.batchId} is not sent: the settler has a transaction not yet mined (it may be this batch); it is sent, or found settled, once that one is mined`, { retryable: true });
    }
    try {
      await send(batch);
    } catch (error) {
      const short = insufficientDepositOf(error);
      if (!short) throw error;
      // Nothing was pending and no nonce of this batch is open, so no transaction of it can
      // still be mined: dissolving it cannot settle its charges twice.
      const { deferredChargeIds, deferredAmount } = p.ledger.refuseBatch({ batchId: batch.batchId, payer: short.payer, balance: short.balance });
      summary.refusals.push({ batchId: batch.batchId, payer: short.payer, balance: short.balance, debit: short.amount, deferredChargeIds, deferredAmount });
    }
  };

  for (const batch of p.ledger.pendingBatches()) {
    if (batch.asset.toLowerCase() !== p.asset.toLowerCase()) continue;
    await settle(batch);
  }
  for (;;) {
    if (p.hold) {
      const backlog = p.ledger.settlementBacklog(p.asset);
      if (backlog.charges === 0) break;
      const dueAtMs = Date.parse(backlog.oldestChargeAt!) + p.hold.maxDelayMs;
      if (backlog.amount < p.hold.minAmount && backlog.withdrawingPayers.length === 0 && now() < dueAtMs) {
        summary.held = { charges: backlog.charges, amount: backlog.amount, dueAtMs };
        break;
      }
    }
    const batch = p.ledger.createBatch({ asset: p.asset, maxCharges: p.maxCharges });
    if (!batch) break;
    await settle(batch);
  }
  return summary;
}

/**
 * Recorded as the transaction hash of a batch the chain had already settled when this process
 * looked, when none of the batch's recorded sends is the one that settled it (it was sent by a
 * process that did not record it, e.g. an older version). The batch id finds its
 * `BatchSettled` event on chain.
 */
export const ALREADY_SETTLED_TX: Hex = `0x${"0".repeat(64)}`;
