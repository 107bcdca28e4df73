import type { Hex } from "viem";
import { gatewayDepositsAbi } from "./gatewayDepositsAbi.js";
import { toGatewayChainError } from "./errors.js";
import type { DepositsReadContext } from "./types.js";

export type IsBatchSettledParameters = DepositsReadContext & { batchId: Hex };

/** Whether GatewayDeposits already settled `batchId` (at the latest block). */
export async function isBatchSettled(p: IsBatchSettledParameters): Promise<boolean> {
  try {
    return await p.publicClient.readContract({
      address: p.deposits,
      abi: gatewayDepositsAbi,
      functionName: "settled",
      args: [p.batchId],
    });
  } catch (error) {
    throw toGatewayChainError(`reading whether batch ${p.batchId} is settled`, error);
  }
}
