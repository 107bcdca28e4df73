import type { SendOptions, SettleResult, SettlementBatch } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { contractRevertOf, GatewayChainError, toGatewayChainError } from "./errors.js";
import { isBatchSettled } from "./isBatchSettled.js";
import { feeFieldsOf } from "./feeFieldsOf.js";
import type { DepositsWriteContext } from "./types.js";
import { sendRecorded } from "./sendRecorded.js";

export type SettleBatchParameters = DepositsWriteContext &
  SendOptions & {
    batch: SettlementBatch;
    /** Blocks to wait for after inclusion (default 1: the receipt). */
    confirmations?: number;
    /** How long to wait for the receipt before a retryable error (default 180 s). */
    receiptTimeoutMs?: number;
    /** See prepareSend. */
    feeCap?: bigint;
  };
export type SettleBatchReturnType = SettleResult;

/**
 * Send one settlement batch to GatewayDeposits.settle and wait for its receipt. Idempotent by
 * `batch.batchId`: a batch the contract already settled (`settled(batchId)`, or a simulation
 * reverting with `BatchAlreadySettled`, or a receipt that reverted because another transaction
 * settled it first) answers `{ status: "already-settled" }` without sending anything.
 *
 * It goes out through sendRecorded: the nonce and fees are chosen (a fresh nonce, or
 * `replacing`'s with higher fees) and handed to `onSend` before the broadcast and again with the
 * hash after it, so the caller can record them durably and a later process can replace a
 * transaction that is never mined.
 *
 * Throws GatewayChainError: not retryable when the contract refuses the batch (`revert` names
 * the error, e.g. `InsufficientDeposit` or `SettlementUnbalanced`), retryable when the RPC
 * failed, the receipt did not come within `receiptTimeoutMs`, a settle of the same batch is
 * already waiting to be mined (the gas estimate at the pending block says `BatchAlreadySettled`),
 * or the transaction reverted on chain after a successful simulation. The call is built with the
 * whole GatewayDeposits ABI, so viem decodes every custom error a send reverts with (the request
 * `simulateContract` returns carries only the function, and its reverts came back unnamed).
 */
export async function settleBatch(p: SettleBatchParameters): Promise<SettleBatchReturnType> {
  const { batch } = p;
  const step = `settling batch ${batch.batchId}`;
  if (await isBatchSettled({ ...p, batchId: batch.batchId })) return { status: "already-settled" };

  const call = {
    account: p.walletClient.account,
    address: p.deposits,
    abi: gatewayDepositsAbi,
    functionName: "settle",
    args: [batch.batchId, batch.asset, batch.debits, batch.credits],
  } as const;
  try {
    await p.publicClient.simulateContract(call);
  } catch (error) {
    if (contractRevertOf(error)?.errorName === "BatchAlreadySettled") return { status: "already-settled" };
    throw toGatewayChainError(step, error);
  }

  const { txHash, receipt } = await sendRecorded({
    publicClient: p.publicClient,
    account: p.walletClient.account.address,
    batchId: batch.batchId,
    kind: "settle",
    replacing: p.replacing,
    feeCap: p.feeCap,
    onSend: p.onSend,
    step,
    confirmations: p.confirmations,
    receiptTimeoutMs: p.receiptTimeoutMs,
    broadcast: async (send) => {
      try {
        return await p.walletClient.writeContract({ ...call, nonce: send.nonce, ...feeFieldsOf(send) });
      } catch (error) {
        // Simulated at the latest block, estimated at the pending one: a settle of this batch is
        // waiting to be mined. It may still fail, so the batch is not marked settled on its word.
        if (contractRevertOf(error)?.errorName === "BatchAlreadySettled") {
          throw new GatewayChainError(`${step}: a transaction settling this batch is already waiting to be mined; look again once it is`, { retryable: true }, { cause: error });
        }
        throw error;
      }
    },
  });
  if (receipt.status !== "success" || receipt.transactionHash !== txHash) {
    // Reverted, or another transaction took the nonce (viem follows a replacement to its receipt).
    if (await isBatchSettled({ ...p, batchId: batch.batchId })) return { status: "already-settled" };
    throw new GatewayChainError(
      receipt.transactionHash === txHash
        ? `${step}: transaction ${txHash} reverted on chain after a successful simulation; retry the batch.`
        : `${step}: transaction ${txHash} was replaced by ${receipt.transactionHash}, which did not settle the batch; retry the batch.`,
      { retryable: true },
    );
  }
  return { status: "settled", txHash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
}
