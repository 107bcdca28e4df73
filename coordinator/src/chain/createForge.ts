import type { Address, Hash } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import type { ForgeConfig, ProtocolContext } from "./types.js";

export type CreateForgeReturnType = { forge: Address; hash: Hash };

/** Create a Forge through the factory; returns its address from the ForgeCreated event. */
export async function createForge(ctx: ProtocolContext, config: ForgeConfig): Promise<CreateForgeReturnType> {
  const { hash, args } = await sendAndReadEvent<{ forge: Address }>(ctx, {
    address: ctx.addresses.factory,
    abi: ctx.abis.ForgeFactory,
    functionName: "createForge",
    args: [config],
    eventName: "ForgeCreated",
  });
  return { forge: args.forge, hash };
}
