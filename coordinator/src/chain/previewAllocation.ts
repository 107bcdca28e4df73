import type { Address, Hex } from "viem";
import type { EvalResult, ProtocolContext } from "./types.js";

export type PreviewAllocationParameters = { result: EvalResult };

export type PreviewAllocationReturnType = { holders: Address[]; amounts: bigint[]; root: Hex };

/**
 * The holder entries `result` allocates on its Forge, computed by the Forge itself (no share math
 * re-implemented here), and the Merkle root over them. After the result is accepted, the same
 * result gives the leaves of the Forge's claim tree (`buildShareClaims`).
 */
export async function previewAllocation(ctx: ProtocolContext, p: PreviewAllocationParameters): Promise<PreviewAllocationReturnType> {
  const [holders, amounts, root] = (await ctx.publicClient.readContract({
    address: p.result.forge,
    abi: ctx.abis.Forge,
    functionName: "previewAllocation",
    args: [p.result],
  })) as readonly [readonly Address[], readonly bigint[], Hex];
  return { holders: [...holders], amounts: [...amounts], root };
}
