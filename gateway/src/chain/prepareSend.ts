import type { Address, Hex, PublicClient } from "viem";
import type { PreparedSend } from "../types.js";
import { GatewayChainError, toGatewayChainError } from "./errors.js";

export type PrepareSendParameters = {
  publicClient: PublicClient;
  /** The settler. */
  account: Address;
  batchId: Hex;
  kind: PreparedSend["kind"];
  /** An earlier send whose nonce is still open: the new one takes that nonce, with higher fees. */
  replacing?: PreparedSend;
  /** The most the settler pays per gas (max fee, or gas price on a chain without a base fee); no cap when absent. */
  feeCap?: bigint;
};

/**
 * Raise a fee by 12.5 % (rounded up, and by at least 1 wei): above the 10 % nodes such as geth
 * require of a transaction that replaces one with the same nonce.
 */
export const bumpFee = (fee: bigint): bigint => fee + (fee + 7n) / 8n + (fee === 0n ? 1n : 0n);

/**
 * The nonce and fees of the settler's next transaction for `batchId`, before it is signed. A
 * fresh send takes the settler's pending nonce and the node's current fee estimate; a
 * replacement takes `replacing`'s nonce, and each fee is the higher of the estimate and
 * `bumpFee` of the fee it replaces, so the node accepts it in place of the old one and a base
 * fee that rose past the old one's cap is covered. On a chain whose blocks carry no base fee the
 * send is a legacy one (`legacy`; its gas price in both fee fields).
 *
 * `feeCap` bounds the max fee (and so the tip); a replacement that the cap leaves short of the
 * 12.5 % bump is refused with a retryable GatewayChainError (the stuck transaction may still be
 * mined once the base fee falls). Throws a retryable GatewayChainError when the RPC fails.
 */
export async function prepareSend(p: PrepareSendParameters): Promise<PreparedSend> {
  const { replacing, feeCap } = p;
  if (replacing && replacing.batchId !== p.batchId) throw new RangeError(`a send for batch ${p.batchId} cannot replace one for batch ${replacing.batchId}`);
  let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; legacy: boolean };
  let nonce: number;
  try {
    const [block, pendingNonce] = await Promise.all([
      p.publicClient.getBlock({ blockTag: "latest" }),
      replacing ? replacing.nonce : p.publicClient.getTransactionCount({ address: p.account, blockTag: "pending" }),
    ]);
    nonce = pendingNonce;
    if (block.baseFeePerGas === null || block.baseFeePerGas === undefined) {
      const { gasPrice } = await p.publicClient.estimateFeesPerGas({ type: "legacy", chain: null });
      fees = { maxFeePerGas: gasPrice, maxPriorityFeePerGas: gasPrice, legacy: true };
    } else {
      fees = { ...(await p.publicClient.estimateFeesPerGas()), legacy: false };
    }
  } catch (error) {
    throw toGatewayChainError(`preparing the settler's transaction for batch ${p.batchId}`, error);
  }
  let { maxFeePerGas, maxPriorityFeePerGas } = fees;
  if (replacing) {
    maxFeePerGas = max(maxFeePerGas, bumpFee(replacing.maxFeePerGas));
    maxPriorityFeePerGas = max(maxPriorityFeePerGas, bumpFee(replacing.maxPriorityFeePerGas));
  }
  if (feeCap !== undefined && maxFeePerGas > feeCap) maxFeePerGas = feeCap;
  if (fees.legacy) maxPriorityFeePerGas = maxFeePerGas;
  maxPriorityFeePerGas = min(maxPriorityFeePerGas, maxFeePerGas);
  if (replacing && (maxFeePerGas < bumpFee(replacing.maxFeePerGas) || maxPriorityFeePerGas < bumpFee(replacing.maxPriorityFeePerGas))) {
    throw new GatewayChainError(
      `the ${replacing.kind} transaction of batch ${p.batchId} at nonce ${replacing.nonce} (max fee ${replacing.maxFeePerGas} wei/gas) cannot be replaced: 12.5 % more would pass the fee cap of ${feeCap} wei/gas; it is left to be mined when the base fee falls`,
      { retryable: true },
    );
  }
  return { batchId: p.batchId, kind: p.kind, nonce, maxFeePerGas, maxPriorityFeePerGas, ...(fees.legacy ? { legacy: true as const } : {}) };
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
