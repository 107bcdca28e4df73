import { erc20Abi, zeroAddress, type Address, type Hash } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { ProtocolContext } from "./types.js";

export type PayRevenueParameters = { ingotId: bigint; asset: Address; amount: bigint };
export type PayRevenueReturnType = { hash: Hash; approveHash?: Hash };

/** Pay `amount` of `asset` (zeroAddress = ETH) to an Ingot's holders through the RevenueSplitter. */
export async function payRevenue(ctx: ProtocolContext, p: PayRevenueParameters): Promise<PayRevenueReturnType> {
  let approveHash: Hash | undefined;
  if (p.asset !== zeroAddress) {
    ({ hash: approveHash } = await sendAndWait(ctx, {
      address: p.asset,
      abi: erc20Abi,
      functionName: "approve",
      args: [ctx.addresses.splitter, p.amount],
    }));
  }
  const { hash } = await sendAndWait(ctx, {
    address: ctx.addresses.splitter,
    abi: ctx.abis.RevenueSplitter,
    functionName: "pay",
    args: [p.ingotId, p.asset, p.amount],
    value: p.asset === zeroAddress ? p.amount : undefined,
  });
  return { hash, approveHash };
}
