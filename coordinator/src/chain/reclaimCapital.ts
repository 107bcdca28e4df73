import type { Address, Hash } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import type { ProtocolContext } from "./types.js";

export type ReclaimCapitalParameters = { forge: Address };

export type ReclaimCapitalReturnType = { amount: bigint; position: bigint; hash: Hash };

/**
 * Take back the sending account's capital from a Live Forge whose release has not succeeded
 * within RELEASE_GRACE of the result (a frozen or reverting token, an amount the splitter refused).
 */
export async function reclaimCapital(ctx: ProtocolContext, p: ReclaimCapitalParameters): Promise<ReclaimCapitalReturnType> {
  const { hash, args } = await sendAndReadEvent<{ amount: bigint; position: bigint }>(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "reclaimCapital",
    eventName: "CapitalReclaimed",
  });
  return { amount: args.amount, position: args.position, hash };
}
