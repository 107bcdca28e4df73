import { parseEventLogs, type Address, type Hash } from "viem";
import { ChainError } from "./errors.js";
import { sendAndWait } from "./sendAndWait.js";
import type { ForgeConfig, ProtocolContext } from "./types.js";

export type CreateForgeReturnType = { forge: Address; hash: Hash };

/** Create a Forge through the factory; returns its address from the ForgeCreated event. */
export async function createForge(ctx: ProtocolContext, config: ForgeConfig): Promise<CreateForgeReturnType> {
  const { hash, receipt } = await sendAndWait(ctx, {
    address: ctx.addresses.factory,
    abi: ctx.abis.ForgeFactory,
    functionName: "createForge",
    args: [config],
  });
  const [created] = parseEventLogs({ abi: ctx.abis.ForgeFactory, logs: receipt.logs, eventName: "ForgeCreated" });
  if (!created) throw new ChainError(`createForge succeeded but emitted no ForgeCreated event (tx ${hash})`);
  return { forge: (created.args as { forge: Address }).forge, hash };
}
