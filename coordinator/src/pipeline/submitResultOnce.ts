import type { Hash, Hex } from "viem";
import { getForgeStatus } from "../chain/getForgeStatus.js";
import { submitEvalResult } from "../chain/submitEvalResult.js";
import type { EvalResult, ProtocolContext } from "../chain/types.js";

export type SubmitResultOnceReturnType =
  | { submitted: true; ingotId: bigint; hash: Hash }
  | { submitted: false; ingotId: bigint; reason: "already-live" };

/**
 * Submit a signed result unless the Forge already accepted one: a coordinator restarted after a
 * crash between "sent" and "recorded" finds the Forge Live and does not send a second time.
 * (A second send would revert anyway — the Forge is no longer Closed — but would waste gas.)
 */
export async function submitResultOnce(ctx: ProtocolContext, result: EvalResult, signature: Hex): Promise<SubmitResultOnceReturnType> {
  const status = await getForgeStatus(ctx, result.forge);
  if (status.phase === "Live") return { submitted: false, ingotId: status.ingotId, reason: "already-live" };
  const { ingotId, hash } = await submitEvalResult(ctx, result, signature);
  return { submitted: true, ingotId, hash };
}
