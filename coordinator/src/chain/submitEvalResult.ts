import { parseEventLogs, type Hash, type Hex } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { EvalResult, ProtocolContext } from "./types.js";

export type SubmitEvalResultReturnType = { ingotId: bigint; hash: Hash };

/** Submit a signed result to its Forge; returns the minted Ingot id. */
export async function submitEvalResult(ctx: ProtocolContext, result: EvalResult, signature: Hex): Promise<SubmitEvalResultReturnType> {
  const { hash, receipt } = await sendAndWait(ctx, {
    address: result.forge,
    abi: ctx.abis.Forge,
    functionName: "submitEvalResult",
    args: [result, signature],
  });
  const [event] = parseEventLogs({ abi: ctx.abis.Forge, logs: receipt.logs, eventName: "ResultAccepted" });
  return { ingotId: (event.args as { ingotId: bigint }).ingotId, hash };
}
