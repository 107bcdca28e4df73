import type { Hash, PublicClient, TransactionReceipt } from "viem";
import type { PreparedSend, SendOptions } from "../types.js";
import { toGatewayChainError } from "./errors.js";
import { prepareSend, type PrepareSendParameters } from "./prepareSend.js";
import { waitForSend } from "./waitForSend.js";

export type SendRecordedParameters = Omit<PrepareSendParameters, "publicClient"> &
  Pick<SendOptions, "onSend"> & {
    publicClient: PublicClient;
    /** Sign and broadcast the prepared send (its nonce and fees); a GatewayChainError it throws passes as it is. */
    broadcast: (send: PreparedSend) => Promise<Hash>;
    /** Names the step in an error. */
    step: string;
    confirmations?: number;
    receiptTimeoutMs?: number;
  };

/**
 * How every settler transaction goes out: nonce and fees chosen (prepareSend), handed to
 * `onSend` before the broadcast and again with the hash after it, then its receipt awaited
 * (waitForSend: a retryable error when it does not come in time). So what a process sent is on
 * record before the node has it, and a later process can replace it.
 */
export async function sendRecorded(p: SendRecordedParameters): Promise<{ txHash: Hash; receipt: TransactionReceipt }> {
  const send = await prepareSend(p);
  p.onSend?.(send);
  let txHash: Hash;
  try {
    txHash = await p.broadcast(send);
  } catch (error) {
    throw toGatewayChainError(p.step, error);
  }
  p.onSend?.({ ...send, txHash });
  const receipt = await waitForSend({ publicClient: p.publicClient, send: { ...send, txHash }, confirmations: p.confirmations, timeoutMs: p.receiptTimeoutMs });
  return { txHash, receipt };
}
