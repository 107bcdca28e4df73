import type { Hash, Hex } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import type { EvalResult, ProtocolContext } from "./types.js";

export type SubmitEvalResultReturnType = { ingotId: bigint; hash: Hash };

/** Submit a signed result to its Forge; returns the minted Ingot id. */
export async function submitEvalResult(ctx: ProtocolContext, result: EvalResult, signature: Hex): Promise<SubmitEvalResultReturnType> {
  const { hash, args } = await sendAndReadEvent<{ ingotId: bigint }>(ctx, {
    address: result.forge,
    abi: ctx.abis.Forge,
    functionName: "submitEvalResult",
    args: [result, signature],
    eventName: "ResultAccepted",
  });
  return { ingotId: args.ingotId, hash };
}
