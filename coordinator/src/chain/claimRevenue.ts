import { parseEventLogs, type Address, type Hash } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { ProtocolContext } from "./types.js";

export type ClaimRevenueParameters = { ingotId: bigint; asset: Address; to?: Address };
export type ClaimRevenueReturnType = { amount: bigint; hash: Hash };

/** Claim everything the sending account earned on (ingotId, asset). */
export async function claimRevenue(ctx: ProtocolContext, p: ClaimRevenueParameters): Promise<ClaimRevenueReturnType> {
  const { hash, receipt } = await sendAndWait(ctx, {
    address: ctx.addresses.splitter,
    abi: ctx.abis.RevenueSplitter,
    functionName: "claim",
    args: [p.ingotId, p.asset, p.to ?? ctx.walletClient.account.address],
  });
  const [event] = parseEventLogs({ abi: ctx.abis.RevenueSplitter, logs: receipt.logs, eventName: "Claimed" });
  return { amount: event ? (event.args as { amount: bigint }).amount : 0n, hash };
}
