import { erc20Abi, zeroAddress, type Address, type Hash } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import { sendAndWait } from "./sendAndWait.js";
import type { ForgeConfig, ProtocolContext } from "./types.js";

export type ContributeCapitalParameters = { forge: Address; amount: bigint };
export type ContributeCapitalReturnType = { credited: bigint; hash: Hash; approveHash?: Hash };

/**
 * Escrow capital in `forge`: ETH as value, or its ERC-20 after an exact approval. The Forge
 * credits what it actually received (fee-on-transfer tokens credit less than `amount`).
 */
export async function contributeCapital(ctx: ProtocolContext, p: ContributeCapitalParameters): Promise<ContributeCapitalReturnType> {
  const config = (await ctx.publicClient.readContract({
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "config",
  })) as ForgeConfig;
  let approveHash: Hash | undefined;
  if (config.capitalAsset !== zeroAddress) {
    ({ hash: approveHash } = await sendAndWait(ctx, {
      address: config.capitalAsset,
      abi: erc20Abi,
      functionName: "approve",
      args: [p.forge, p.amount],
    }));
  }
  const { hash, args } = await sendAndReadEvent<{ credited: bigint }>(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "contributeCapital",
    args: [p.amount],
    value: config.capitalAsset === zeroAddress ? p.amount : undefined,
    eventName: "CapitalContributed",
  });
  return { credited: args.credited, hash, approveHash };
}
