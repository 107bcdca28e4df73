import type { DepositRecord } from "../types.js";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { toGatewayChainError } from "./errors.js";
import { logId } from "./logId.js";
import type { BlockRange, DepositsReadContext } from "./types.js";

export type ReadDepositsParameters = DepositsReadContext & BlockRange;
export type ReadDepositsReturnType = DepositRecord[];

/**
 * Every `Deposited` event of GatewayDeposits in the inclusive block range, in chain order, as
 * the gateway credits them: `depositId` is `<txHash>:<logIndex>`, `amount` what arrived (net
 * of any transfer fee), `payer` the account credited (not necessarily the sender).
 * Throws a retryable GatewayChainError when the RPC fails.
 */
export async function readDeposits(p: ReadDepositsParameters): Promise<ReadDepositsReturnType> {
  try {
    const logs = await p.publicClient.getContractEvents({
      address: p.deposits,
      abi: gatewayDepositsAbi,
      eventName: "Deposited",
      fromBlock: p.fromBlock,
      toBlock: p.toBlock,
      strict: true,
    });
    return logs.map((log) => ({
      depositId: logId(log),
      payer: log.args.payer,
      asset: log.args.asset,
      amount: log.args.amount,
      blockNumber: log.blockNumber,
    }));
  } catch (error) {
    throw toGatewayChainError("reading deposits", error);
  }
}
