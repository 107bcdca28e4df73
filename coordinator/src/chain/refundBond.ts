import type { Address, Hash } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { ProtocolContext } from "./types.js";

/** Mirrors IForge.Pool for the pools that carry a bond. */
export const BOND_POOLS = { data: 0, compute: 1 } as const;

export type RefundBondParameters = { forge: Address; pool: keyof typeof BOND_POOLS; id: bigint };

export type RefundBondReturnType = { hash: Hash };

/**
 * Send the bond of data or compute entry `id` back to whoever made it (anyone may send this):
 * when the Forge is Live and the entry was not excluded, or when the Forge Failed.
 */
export async function refundBond(ctx: ProtocolContext, p: RefundBondParameters): Promise<RefundBondReturnType> {
  const { hash } = await sendAndWait(ctx, { address: p.forge, abi: ctx.abis.Forge, functionName: "refundBond", args: [BOND_POOLS[p.pool], p.id] });
  return { hash };
}
