import { parseEventLogs, type Address, type Hash } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { ShareClaim } from "./buildShareClaims.js";
import type { ProtocolContext } from "./types.js";

export type ClaimSharesParameters = { forge: Address; claim: ShareClaim };

export type ClaimSharesReturnType = { ingotId: bigint; amount: bigint; hash: Hash };

/**
 * Move one leaf's shares from a claim-by-proof Forge's escrow to its account (any sender may do
 * it for any account; the shares and the revenue they earned go to the leaf's account). A second
 * claim of the same leaf fails with ForgeSharesAlreadyClaimed, so resending after a lost receipt
 * cannot move shares twice.
 */
export async function claimShares(ctx: ProtocolContext, p: ClaimSharesParameters): Promise<ClaimSharesReturnType> {
  const { index, account, amount, proof } = p.claim;
  const { hash, receipt } = await sendAndWait(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "claimShares",
    args: [index, account, amount, proof],
  });
  const [event] = parseEventLogs({ abi: ctx.abis.Forge, logs: receipt.logs, eventName: "SharesClaimed" });
  const args = event.args as { ingotId: bigint; amount: bigint };
  return { ingotId: args.ingotId, amount: args.amount, hash };
}
