import type { Address } from "viem";
import type { ForgeConfig, ProtocolContext } from "./types.js";

/** The configuration `forge` was created with (immutable). */
export async function readForgeConfig(ctx: ProtocolContext, forge: Address): Promise<ForgeConfig> {
  return (await ctx.publicClient.readContract({ address: forge, abi: ctx.abis.Forge, functionName: "config" })) as ForgeConfig;
}
