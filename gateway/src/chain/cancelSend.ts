import type { PreparedSend, SendOptions } from "../types.js";
import { feeFieldsOf } from "./feeFieldsOf.js";
import type { DepositsWriteContext } from "./types.js";
import { sendRecorded } from "./sendRecorded.js";

export type CancelSendParameters = Omit<DepositsWriteContext, "deposits"> &
  Pick<SendOptions, "onSend"> & {
    /** The send whose nonce is taken. */
    replacing: PreparedSend;
    confirmations?: number;
    receiptTimeoutMs?: number;
    /** See prepareSend. */
    feeCap?: bigint;
  };

/**
 * Take an open send's nonce with a transfer of 0 from the settler to itself (21,000 gas, fees
 * as for any replacement), so that the settlement sent at that nonce can never be mined; then
 * wait for its receipt. For a batch that must be given up (the contract refuses it now) while
 * its earlier transaction could still land. `onSend` records it as settle sends are recorded.
 * Throws a retryable GatewayChainError when the RPC fails or the receipt does not come in time.
 */
export async function cancelSend(p: CancelSendParameters): Promise<void> {
  const settler = p.walletClient.account.address;
  await sendRecorded({
    publicClient: p.publicClient,
    account: settler,
    batchId: p.replacing.batchId,
    kind: "cancel",
    replacing: p.replacing,
    feeCap: p.feeCap,
    onSend: p.onSend,
    step: `cancelling nonce ${p.replacing.nonce} (batch ${p.replacing.batchId})`,
    confirmations: p.confirmations,
    receiptTimeoutMs: p.receiptTimeoutMs,
    broadcast: (send) => p.walletClient.sendTransaction({ to: settler, value: 0n, gas: 21_000n, nonce: send.nonce, ...feeFieldsOf(send) }),
  });
}
