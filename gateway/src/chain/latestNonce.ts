import type { Address } from "viem";
import { toGatewayChainError } from "./errors.js";
import type { DepositsReadContext } from "./types.js";

export type LatestNonceParameters = Pick<DepositsReadContext, "publicClient"> & { account: Address };

/** `account`'s nonce at the latest block: every nonce below it belongs to a mined transaction. Throws a retryable GatewayChainError when the RPC fails. */
export async function latestNonce(p: LatestNonceParameters): Promise<number> {
  try {
    return await p.publicClient.getTransactionCount({ address: p.account, blockTag: "latest" });
  } catch (error) {
    throw toGatewayChainError(`reading the nonce of ${p.account}`, error);
  }
}
