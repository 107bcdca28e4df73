import type { WithdrawalRequestRecord } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { toGatewayChainError } from "./errors.js";
import { logId } from "./logId.js";
import { blockSpans } from "./blockSpans.js";
import type { BlockRange, DepositsReadContext } from "./types.js";

export type ReadWithdrawalRequestsParameters = DepositsReadContext &
  BlockRange & {
    /** Largest block range per log request (default 5,000); longer ranges are read in pieces. */
    maxBlockSpan?: bigint;
  };
export type ReadWithdrawalRequestsReturnType = WithdrawalRequestRecord[];

/**
 * Every `WithdrawalRequested` event of GatewayDeposits in the inclusive block range (none when
 * `fromBlock > toBlock`), in chain order; `requestId` is `<txHash>:<logIndex>`. A later request
 * of the same payer and asset replaces an earlier one on chain. Addresses are checksummed.
 * Throws a retryable GatewayChainError when the RPC fails.
 */
export async function readWithdrawalRequests(p: ReadWithdrawalRequestsParameters): Promise<ReadWithdrawalRequestsReturnType> {
  try {
    const records: WithdrawalRequestRecord[] = [];
    for (const span of blockSpans(p, p.maxBlockSpan)) {
      const logs = await p.publicClient.getContractEvents({
        address: p.deposits,
        abi: gatewayDepositsAbi,
        eventName: "WithdrawalRequested",
        fromBlock: span.fromBlock,
        toBlock: span.toBlock,
        strict: true,
      });
      for (const log of logs) {
        records.push({
          requestId: logId(log),
          payer: log.args.payer,
          asset: log.args.asset,
          amount: log.args.amount,
          blockNumber: log.blockNumber,
        });
      }
    }
    return records;
  } catch (error) {
    throw toGatewayChainError("reading withdrawal requests", error);
  }
}
