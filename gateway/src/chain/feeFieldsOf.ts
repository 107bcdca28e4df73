import type { PreparedSend } from "../types.js";

/** The fee fields a send goes out with: a gas price on a chain without a base fee, EIP-1559 fees otherwise. */
export function feeFieldsOf(send: PreparedSend): { gasPrice: bigint } | { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } {
  return send.legacy ? { gasPrice: send.maxFeePerGas } : { maxFeePerGas: send.maxFeePerGas, maxPriorityFeePerGas: send.maxPriorityFeePerGas };
}
