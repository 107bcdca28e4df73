import { WaitForTransactionReceiptTimeoutError, type Hash, type PublicClient, type TransactionReceipt } from "viem";
import type { PreparedSend } from "../types.js";
import { GatewayChainError, toGatewayChainError } from "./errors.js";

export type WaitForSendParameters = {
  publicClient: PublicClient;
  send: PreparedSend & { txHash: Hash };
  /** Blocks to wait for after inclusion (default 1: the receipt). */
  confirmations?: number;
  /** How long to wait for the receipt (default 180 s). */
  timeoutMs?: number;
};

/**
 * The receipt of a settler's transaction (or of the one that took its nonce). One not mined within
 * `timeoutMs` is a retryable GatewayChainError: the send stays recorded, and the next settlement
 * round waits for it or replaces it.
 */
export async function waitForSend(p: WaitForSendParameters): Promise<TransactionReceipt> {
  const { send } = p;
  try {
    return await p.publicClient.waitForTransactionReceipt({ hash: send.txHash, confirmations: p.confirmations ?? 1, timeout: p.timeoutMs ?? 180_000 });
  } catch (error) {
    if (error instanceof WaitForTransactionReceiptTimeoutError) {
      throw new GatewayChainError(
        `the ${send.kind} transaction ${send.txHash} of batch ${send.batchId} (nonce ${send.nonce}, max fee ${send.maxFeePerGas} wei/gas) was not mined within ${(p.timeoutMs ?? 180_000) / 1000} s; a later round finds it mined or replaces it with higher fees`,
        { retryable: true },
        { cause: error },
      );
    }
    throw toGatewayChainError(`waiting for transaction ${send.txHash} of batch ${send.batchId}`, error);
  }
}
