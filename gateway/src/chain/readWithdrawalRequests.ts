import type { WithdrawalRequestRecord } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { toGatewayChainError } from "./errors.js";
import { logId } from "./logId.js";
import type { BlockRange, DepositsReadContext } from "./types.js";

export type ReadWithdrawalRequestsParameters = DepositsReadContext & BlockRange;
export type ReadWithdrawalRequestsReturnType = WithdrawalRequestRecord[];

/**
 * Every `WithdrawalRequested` event of GatewayDeposits in the inclusive block range, in chain
 * order; `requestId` is `<txHash>:<logIndex>`. A later request of the same payer and asset
 * replaces an earlier one on chain. Throws a retryable GatewayChainError when the RPC fails.
 */
export async function readWithdrawalRequests(p: ReadWithdrawalRequestsParameters): Promise<ReadWithdrawalRequestsReturnType> {
  try {
    const logs = await p.publicClient.getContractEvents({
      address: p.deposits,
      abi: gatewayDepositsAbi,
      eventName: "WithdrawalRequested",
      fromBlock: p.fromBlock,
      toBlock: p.toBlock,
      strict: true,
    });
    return logs.map((log) => ({
      requestId: logId(log),
      payer: log.args.payer,
      asset: log.args.asset,
      amount: log.args.amount,
      blockNumber: log.blockNumber,
    }));
  } catch (error) {
    throw toGatewayChainError("reading withdrawal requests", error);
  }
}
