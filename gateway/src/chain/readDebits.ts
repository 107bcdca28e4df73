import type { DebitRecord } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { logId } from "./logId.js";
import { readLogsInSpans } from "./readLogsInSpans.js";
import type { DepositsLogRange } from "./types.js";

export type ReadDebitsParameters = DepositsLogRange;
export type ReadDebitsReturnType = DebitRecord[];

/**
 * Every `Charged` event of GatewayDeposits in the inclusive block range (none when
 * `fromBlock > toBlock`), in chain order: one per payer debited by a settlement, naming its
 * batch. `eventId` is `<txHash>:<logIndex>`; addresses are checksummed.
 * Throws a retryable GatewayChainError when the RPC fails.
 */
export function readDebits(p: ReadDebitsParameters): Promise<ReadDebitsReturnType> {
  return readLogsInSpans(p, "reading settlement debits", async (span) => {
    const logs = await p.publicClient.getContractEvents({ address: p.deposits, abi: gatewayDepositsAbi, eventName: "Charged", ...span, strict: true });
    return logs.map((log) => ({ eventId: logId(log), batchId: log.args.batchId, payer: log.args.payer, asset: log.args.asset, amount: log.args.amount, blockNumber: log.blockNumber }));
  });
}
