import { parseEventLogs, type Abi, type Hash, type TransactionReceipt } from "viem";
import { ChainError } from "./errors.js";
import { sendAndWait, type SendAndWaitParameters } from "./sendAndWait.js";
import type { ProtocolContext } from "./types.js";

export type SendAndReadEventReturnType<Args> = { hash: Hash; receipt: TransactionReceipt; args: Args };

/**
 * `sendAndWait`, then the arguments of the first `eventName` the transaction emitted from
 * `eventAbi` (default: the called contract's ABI). A successful call that emitted no such event
 * is a ChainError naming the transaction, not a TypeError later.
 */
export async function sendAndReadEvent<Args>(
  ctx: ProtocolContext,
  p: SendAndWaitParameters & { eventName: string; eventAbi?: Abi },
): Promise<SendAndReadEventReturnType<Args>> {
  const { eventName, eventAbi, ...call } = p;
  const { hash, receipt } = await sendAndWait(ctx, call);
  const [event] = parseEventLogs({ abi: eventAbi ?? call.abi, logs: receipt.logs, eventName });
  if (!event) throw new ChainError(`${call.functionName} succeeded but emitted no ${eventName} event (tx ${hash})`);
  return { hash, receipt, args: event.args as Args };
}
