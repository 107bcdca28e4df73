import type { Address, Hex, PublicClient } from "viem";
import type { PreparedSend } from "../types.js";
import { toGatewayChainError } from "./errors.js";

export type PrepareSendParameters = {
  publicClient: PublicClient;
  /** The settler. */
  account: Address;
  batchId: Hex;
  kind: PreparedSend["kind"];
  /** An earlier send whose nonce is still open: the new one takes that nonce, with higher fees. */
  replacing?: PreparedSend;
};

/**
 * Raise a fee by 12.5 % (rounded up, and by at least 1 wei): above the 10 % nodes such as geth
 * require of a transaction that replaces one with the same nonce.
 */
export const bumpFee = (fee: bigint): bigint => fee + (fee + 7n) / 8n + (fee === 0n ? 1n : 0n);

/**
 * The nonce and EIP-1559 fees of the settler's next transaction for `batchId`, before it is
 * signed: a fresh send takes the settler's pending nonce and the node's current fee estimate; a
 * replacement takes `replacing`'s nonce, and each fee is the higher of the estimate and
 * `bumpFee` of the fee it replaces, so the node accepts it in place of the old one and a base
 * fee that rose past the old one's cap is covered. Throws a retryable GatewayChainError when the
 * RPC fails.
 */
export async function prepareSend(p: PrepareSendParameters): Promise<PreparedSend> {
  try {
    const [fees, nonce] = await Promise.all([
      p.publicClient.estimateFeesPerGas(),
      p.replacing ? p.replacing.nonce : p.publicClient.getTransactionCount({ address: p.account, blockTag: "pending" }),
    ]);
    let { maxFeePerGas, maxPriorityFeePerGas } = fees;
    if (p.replacing) {
      if (p.replacing.batchId !== p.batchId) throw new RangeError(`a send for batch ${p.batchId} cannot replace one for batch ${p.replacing.batchId}`);
      maxFeePerGas = max(maxFeePerGas, bumpFee(p.replacing.maxFeePerGas));
      maxPriorityFeePerGas = max(maxPriorityFeePerGas, bumpFee(p.replacing.maxPriorityFeePerGas));
    }
    return { batchId: p.batchId, kind: p.kind, nonce, maxFeePerGas: max(maxFeePerGas, maxPriorityFeePerGas), maxPriorityFeePerGas };
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw toGatewayChainError(`preparing the settler's transaction for batch ${p.batchId}`, error);
  }
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
