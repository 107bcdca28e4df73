import { TransactionReceiptNotFoundError, type Hex } from "viem";
import { toGatewayChainError } from "./errors.js";
import type { DepositsReadContext } from "./types.js";

export type FindSuccessfulTransactionParameters = Pick<DepositsReadContext, "publicClient"> & { hashes: readonly Hex[] };

/**
 * The first of `hashes` that was mined and succeeded, if any (a hash never mined, replaced, or
 * reverted is passed over). Throws a retryable GatewayChainError when the RPC fails.
 */
export async function findSuccessfulTransaction(p: FindSuccessfulTransactionParameters): Promise<Hex | undefined> {
  for (const hash of p.hashes) {
    try {
      const receipt = await p.publicClient.getTransactionReceipt({ hash });
      if (receipt.status === "success") return hash;
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) continue;
      throw toGatewayChainError(`reading the receipt of ${hash}`, error);
    }
  }
  return undefined;
}
