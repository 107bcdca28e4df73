import type { Address, Hash } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { ProtocolContext } from "./types.js";

export type ForfeitBondsParameters = { forge: Address };

export type ForfeitBondsReturnType = { hash: Hash };

/** Live only, anyone: pay the excluded entries' bonds to the Ingot's holders as ETH revenue. */
export async function forfeitBonds(ctx: ProtocolContext, p: ForfeitBondsParameters): Promise<ForfeitBondsReturnType> {
  const { hash } = await sendAndWait(ctx, { address: p.forge, abi: ctx.abis.Forge, functionName: "forfeitBonds" });
  return { hash };
}
