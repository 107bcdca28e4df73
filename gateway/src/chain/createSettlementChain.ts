import type { Address, PublicClient } from "viem";
import type { SettlementChain } from "../types.js";
import { toGatewayChainError } from "./errors.js";
import { cancelSend } from "./cancelSend.js";
import { findSuccessfulTransaction } from "./findSuccessfulTransaction.js";
import { hasPendingTransactions } from "./hasPendingTransactions.js";
import { latestNonce } from "./latestNonce.js";
import { isBatchSettled } from "./isBatchSettled.js";
import { readDebits } from "./readDebits.js";
import { readDeposits } from "./readDeposits.js";
import { readWithdrawalEvents } from "./readWithdrawalEvents.js";
import { settleBatch } from "./settleBatch.js";
import type { GatewayWalletClient } from "./types.js";

export type CreateSettlementChainParameters = {
  publicClient: PublicClient;
  /** The settler: holds SETTLER_ROLE on `deposits`. */
  walletClient: GatewayWalletClient;
  /** The GatewayDeposits contract. */
  deposits: Address;
  /** Blocks a settlement waits for after inclusion (default 1). */
  confirmations?: number;
  /** Largest block range per log request (default 5,000). */
  maxBlockSpan?: bigint;
  /** How long a settlement waits for its receipt before the round gives up on it with a retryable error (default 180 s). */
  receiptTimeoutMs?: number;
  /** The most the settler pays per gas (max fee, or gas price without a base fee); no cap when absent. See prepareSend. */
  feeCap?: bigint;
};

/**
 * The SettlementChain the settlement loop runs against, over viem clients: deposit and
 * withdrawal logs (requests, cancellations, withdrawals), settlement debits, the latest block and the settler's nonce, and the idempotent settlement transaction (replaceable with higher fees, or cancellable, while it is not mined).
 * Failures are GatewayChainErrors that say whether a retry may help.
 */
export function createSettlementChain(p: CreateSettlementChainParameters): SettlementChain {
  const read = { publicClient: p.publicClient, deposits: p.deposits };
  const write = { ...read, walletClient: p.walletClient };
  return {
    readDeposits: (range) => readDeposits({ ...read, ...range, maxBlockSpan: p.maxBlockSpan }),
    readWithdrawalEvents: (range) => readWithdrawalEvents({ ...read, ...range, maxBlockSpan: p.maxBlockSpan }),
    readDebits: (range) => readDebits({ ...read, ...range, maxBlockSpan: p.maxBlockSpan }),
    latestBlock: async () => {
      try {
        return await p.publicClient.getBlockNumber({ cacheTime: 0 });
      } catch (error) {
        throw toGatewayChainError("reading the latest block", error);
      }
    },
    settleBatch: (batch, options) => settleBatch({ ...write, ...options, batch, confirmations: p.confirmations, receiptTimeoutMs: p.receiptTimeoutMs, feeCap: p.feeCap }),
    cancelSend: (replacing, options) => cancelSend({ ...write, ...options, replacing, confirmations: p.confirmations, receiptTimeoutMs: p.receiptTimeoutMs, feeCap: p.feeCap }),
    latestNonce: () => latestNonce({ publicClient: p.publicClient, account: p.walletClient.account.address }),
    findSuccessfulTransaction: (hashes) => findSuccessfulTransaction({ publicClient: p.publicClient, hashes }),
    isBatchSettled: (batchId) => isBatchSettled({ ...read, batchId }),
    hasPendingTransactions: () => hasPendingTransactions({ publicClient: p.publicClient, account: p.walletClient.account.address }),
  };
}
