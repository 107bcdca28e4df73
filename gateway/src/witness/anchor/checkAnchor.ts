import type { Address, Hex, PublicClient } from "viem";
import { proofLogAbi } from "./proofLogAbi.js";

/** The on-chain anchor check of `verify-proof --proof-log`. */
export interface AnchorCheck {
  status: "pass" | "fail";
  detail: string;
  sequence?: number;
  /** When the block that anchored the root was made, ISO 8601 UTC. */
  anchoredAt?: string;
}

/**
 * Read ProofLog's anchor of a batch root: it passes when the root is in the log, with its
 * sequence number and block time (the proofs of the batch existed by then). Never throws: an
 * unreachable node or a missing root is a failed check.
 */
export async function checkAnchor(publicClient: Pick<PublicClient, "readContract">, proofLog: Address, rootHex: string | undefined): Promise<AnchorCheck> {
  if (!rootHex) return { status: "fail", detail: "no time-stamped batch root to look up (the witness is pending or absent)" };
  try {
    const anchor = await publicClient.readContract({ address: proofLog, abi: proofLogAbi, functionName: "anchorOf", args: [`0x${rootHex}` as Hex] });
    if (anchor.anchoredAt === 0n) return { status: "fail", detail: `root ${rootHex} is not in ProofLog ${proofLog} (not anchored yet, or another log)` };
    const anchoredAt = new Date(Number(anchor.anchoredAt) * 1000).toISOString().replace(/\.000Z$/, "Z");
    return { status: "pass", detail: `root anchored in ProofLog ${proofLog} at sequence ${anchor.sequence}, block time ${anchoredAt}`, sequence: Number(anchor.sequence), anchoredAt };
  } catch (error) {
    return { status: "fail", detail: `could not read ProofLog ${proofLog}: ${(error as Error)?.message?.split("\n")[0] ?? String(error)}` };
  }
}
