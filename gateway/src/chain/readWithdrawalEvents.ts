import { compareChainOrder } from "../compareChainOrder.js";
import type { WithdrawalEventRecord } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { logId } from "./logId.js";
import { readLogsInSpans } from "./readLogsInSpans.js";
import type { DepositsLogRange } from "./types.js";

export type ReadWithdrawalEventsParameters = DepositsLogRange;
export type ReadWithdrawalEventsReturnType = WithdrawalEventRecord[];

const KINDS = [
  ["WithdrawalRequested", "requested"],
  ["WithdrawalCancelled", "cancelled"],
  ["Withdrawn", "withdrawn"],
] as const;

/**
 * Every `WithdrawalRequested`, `WithdrawalCancelled` and `Withdrawn` event of GatewayDeposits in
 * the inclusive block range (none when `fromBlock > toBlock`), in chain order (block, then log
 * index); `eventId` is `<txHash>:<logIndex>`. On chain a request replaces the payer's earlier one
 * in that asset, and a cancel or a withdrawal ends it; `withdrawn`'s amount is what was paid out
 * (the request, capped at the balance left). Addresses are checksummed.
 * Throws a retryable GatewayChainError when the RPC fails.
 */
export async function readWithdrawalEvents(p: ReadWithdrawalEventsParameters): Promise<ReadWithdrawalEventsReturnType> {
  const records = await readLogsInSpans(p, "reading withdrawal events", async (span) => {
    const found: WithdrawalEventRecord[] = [];
    for (const [eventName, kind] of KINDS) {
      const logs = await p.publicClient.getContractEvents({ address: p.deposits, abi: gatewayDepositsAbi, eventName, ...span, strict: true });
      for (const log of logs) {
        found.push({ eventId: logId(log), kind, payer: log.args.payer, asset: log.args.asset, amount: log.args.amount, blockNumber: log.blockNumber, logIndex: log.logIndex });
      }
    }
    return found;
  });
  return records.sort(compareChainOrder);
}
