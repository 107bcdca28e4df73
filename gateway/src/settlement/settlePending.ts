import type { Address, Hex } from "viem";
import { GatewayChainError, insufficientDepositOf } from "../chain/errors.js";
import type { Ledger } from "../ledger/types.js";
import type { Asset, SettlementBatch, SettlementChain } from "../types.js";

export type SettlePendingParameters = {
  ledger: Ledger;
  chain: SettlementChain;
  asset: Asset;
  /** Most charges per settlement transaction. */
  maxCharges: number;
};

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
 * until none are left. A crash at any point loses nothing and settles nothing twice: batches
 * are persisted before their transaction, and their ids are derived from their charges.
 *
 * A batch the contract refuses with `InsufficientDeposit` (a payer withdrew while their charges
 * waited, e.g. the gateway was down longer than the withdrawal delay) would otherwise block
 * every later settlement. It is dissolved instead: the payer's charges their balance cannot
 * cover are deferred until they deposit again, and the rest are batched again in this pass, so
 * one short payer never holds up what the others owe the Ingots. Any other refusal is thrown.
 *
 * No batch is sent, and so none is refused or dissolved, while the settler has a transaction
 * waiting to be mined (a retryable error): at most one settlement is in flight, and a batch
 * whose earlier transaction may still land is never dissolved.
 */
export async function settlePending(p: SettlePendingParameters): Promise<SettlePendingReturnType> {
  const summary: SettlePendingReturnType = { batches: 0, charges: 0, gasUsed: 0n, alreadySettled: 0, txHashes: [], refusals: [] };

  const settle = async (batch: SettlementBatch): Promise<void> => {
    try {
      await send(batch);
    } catch (error) {
      const short = insufficientDepositOf(error);
      if (!short) throw error;
      // `send` refused to send while anything was pending, so no transaction of this batch can
      // still be mined: dissolving it cannot settle its charges twice.
      const { deferredChargeIds, deferredAmount } = p.ledger.refuseBatch({ batchId: batch.batchId, payer: short.payer, balance: short.balance });
      summary.refusals.push({ batchId: batch.batchId, payer: short.payer, balance: short.balance, debit: short.amount, deferredChargeIds, deferredAmount });
    }
  };

  const send = async (batch: SettlementBatch): Promise<void> => {
    if (await p.chain.isBatchSettled(batch.batchId)) {
      p.ledger.markBatchSettled(batch.batchId, { txHash: ALREADY_SETTLED_TX });
      summary.alreadySettled += 1;
    } else {
      // One settlement transaction in flight at a time. One still waiting to be mined (sent by a
      // process that died, or by this one before its receipt wait timed out) may be this very
      // batch: a second would queue behind it and could only revert, at the settler's cost, and
      // dissolving the batch after a refusal could settle its charges twice.
      if (await p.chain.hasPendingTransactions()) {
        throw new GatewayChainError(`batch ${batch.batchId} is not sent: the settler has a transaction not yet mined (it may be this batch); it is sent, or found settled, once that one is mined`, { retryable: true });
      }
      const result = await p.chain.settleBatch(batch);
      if (result.status === "settled") {
        p.ledger.markBatchSettled(batch.batchId, { txHash: result.txHash });
        summary.gasUsed += result.gasUsed;
        summary.txHashes.push(result.txHash);
      } else {
        p.ledger.markBatchSettled(batch.batchId, { txHash: ALREADY_SETTLED_TX });
        summary.alreadySettled += 1;
      }
    }
    summary.batches += 1;
    summary.charges += batch.chargeIds.length;
  };

  for (const batch of p.ledger.pendingBatches()) {
    if (batch.asset.toLowerCase() !== p.asset.toLowerCase()) continue;
    await settle(batch);
  }
  for (;;) {
    const batch = p.ledger.createBatch({ asset: p.asset, maxCharges: p.maxCharges });
    if (!batch) break;
    await settle(batch);
  }
  return summary;
}

/**
 * Recorded as the transaction hash of a batch the chain had already settled when this process
 * looked (the settling transaction was sent by a process that died before recording it). The
 * SettlementChain interface does not return that transaction's hash; the batch id finds its
 * `BatchSettled` event on chain.
 */
export const ALREADY_SETTLED_TX: Hex = `0x${"0".repeat(64)}`;
