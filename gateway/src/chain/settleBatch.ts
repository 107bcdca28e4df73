import type { SettleResult, SettlementBatch } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { contractRevertOf, GatewayChainError, toGatewayChainError } from "./errors.js";
import { isBatchSettled } from "./isBatchSettled.js";
import type { DepositsWriteContext } from "./types.js";

export type SettleBatchParameters = DepositsWriteContext & {
  batch: SettlementBatch;
  /** Blocks to wait for after inclusion (default 1: the receipt). */
  confirmations?: number;
};
export type SettleBatchReturnType = SettleResult;

/**
 * Send one settlement batch to GatewayDeposits.settle and wait for its receipt. Idempotent by
 * `batch.batchId`: a batch the contract already settled (`settled(batchId)`, or a simulation
 * reverting with `BatchAlreadySettled`, or a receipt that reverted because another transaction
 * settled it first) answers `{ status: "already-settled" }` without sending anything.
 *
 * Throws GatewayChainError: not retryable when the contract refuses the batch (`revert` names
 * the error, e.g. `InsufficientDeposit` or `SettlementUnbalanced`), retryable when the RPC
 * failed or the transaction reverted on chain after a successful simulation.
 */
export async function settleBatch(p: SettleBatchParameters): Promise<SettleBatchReturnType> {
  const { batch } = p;
  const step = `settling batch ${batch.batchId}`;
  if (await isBatchSettled({ ...p, batchId: batch.batchId })) return { status: "already-settled" };

  let request: Parameters<typeof p.walletClient.writeContract>[0];
  try {
    ({ request } = await p.publicClient.simulateContract({
      account: p.walletClient.account,
      address: p.deposits,
      abi: gatewayDepositsAbi,
      functionName: "settle",
      args: [batch.batchId, batch.asset, batch.debits, batch.credits],
    }));
  } catch (error) {
    if (contractRevertOf(error)?.errorName === "BatchAlreadySettled") return { status: "already-settled" };
    throw toGatewayChainError(step, error);
  }

  let receipt;
  try {
    const hash = await p.walletClient.writeContract(request);
    receipt = await p.publicClient.waitForTransactionReceipt({ hash, confirmations: p.confirmations ?? 1 });
  } catch (error) {
    throw toGatewayChainError(step, error);
  }
  if (receipt.status !== "success") {
    if (await isBatchSettled({ ...p, batchId: batch.batchId })) return { status: "already-settled" };
    throw new GatewayChainError(
      `${step}: transaction ${receipt.transactionHash} reverted on chain after a successful simulation; retry the batch.`,
      { retryable: true },
    );
  }
  return { status: "settled", txHash: receipt.transactionHash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
}
