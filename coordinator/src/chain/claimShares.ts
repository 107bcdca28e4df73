import type { Address, Hash } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
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
  const { hash, args } = await sendAndReadEvent<{ ingotId: bigint; amount: bigint }>(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "claimShares",
    args: [index, account, amount, proof],
    eventName: "SharesClaimed",
  });
  return { ingotId: args.ingotId, amount: args.amount, hash };
}
