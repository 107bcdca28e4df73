import type { Hex } from "viem";
import { GatewayChainError } from "./errors.js";

/**
 * The id of one log, `<txHash>:<logIndex>`: unique on a chain, so a record keyed by it is
 * stored once however often its range is read. A pending log (no hash or index yet) has no id.
 */
export function logId(log: { transactionHash: Hex | null; logIndex: number | null }): string {
  if (log.transactionHash === null || log.logIndex === null) {
    throw new GatewayChainError("A pending log has no id yet; read only mined blocks.", { retryable: true });
  }
  return `${log.transactionHash}:${log.logIndex}`;
}
