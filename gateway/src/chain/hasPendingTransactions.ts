import type { Address } from "viem";
import { toGatewayChainError } from "./errors.js";
import type { DepositsReadContext } from "./types.js";

export type HasPendingTransactionsParameters = Pick<DepositsReadContext, "publicClient"> & { account: Address };

/**
 * Whether `account` has transactions the node knows of but no block has included yet (its
 * pending nonce is ahead of its latest one). The settler checks before it gives up on a batch
 * the contract refuses: a settlement sent by a process that died may still be waiting to be mined.
 * Throws a retryable GatewayChainError when the RPC fails.
 */
export async function hasPendingTransactions(p: HasPendingTransactionsParameters): Promise<boolean> {
  try {
    const [pending, latest] = await Promise.all([
      p.publicClient.getTransactionCount({ address: p.account, blockTag: "pending" }),
      p.publicClient.getTransactionCount({ address: p.account, blockTag: "latest" }),
    ]);
    return pending > latest;
  } catch (error) {
    throw toGatewayChainError(`reading whether ${p.account} has pending transactions`, error);
  }
}
