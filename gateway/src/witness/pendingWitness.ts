import type { PendingWitness } from "./types.js";

/** The witness of a proof delivered before its batch is time-stamped: fetch the completed proof at `url` (this gateway's `GET /v1/proofs/:id`). */
export function pendingWitness(proofId: string): PendingWitness {
  return { status: "pending", url: `/v1/proofs/${encodeURIComponent(proofId)}` };
}
