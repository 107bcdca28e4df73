import type { DepositRecord } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { logId } from "./logId.js";
import { readLogsInSpans } from "./readLogsInSpans.js";
import type { DepositsLogRange } from "./types.js";

export type ReadDepositsParameters = DepositsLogRange;
export type ReadDepositsReturnType = DepositRecord[];

/**
 * Every `Deposited` event of GatewayDeposits in the inclusive block range (none when
 * `fromBlock > toBlock`), in chain order, as the gateway credits them: `depositId` is
 * `<txHash>:<logIndex>`, `amount` what arrived (net of any transfer fee), `payer` the account
 * credited (not necessarily the sender). Addresses are checksummed.
 * Throws a retryable GatewayChainError when the RPC fails.
 */
export function readDeposits(p: ReadDepositsParameters): Promise<ReadDepositsReturnType> {
  return readLogsInSpans(p, "reading deposits", async (span) => {
    const logs = await p.publicClient.getContractEvents({ address: p.deposits, abi: gatewayDepositsAbi, eventName: "Deposited", ...span, strict: true });
    return logs.map((log) => ({ depositId: logId(log), payer: log.args.payer, asset: log.args.asset, amount: log.args.amount, blockNumber: log.blockNumber }));
  });
}
