import type { Hex } from "viem";
import { sealHoldout } from "../../sealing/sealHoldout.js";
import type { ContentStore } from "../../storage/types.js";
import { encodeInRunFeatures, type InRunResultClaim } from "./inRunResultWire.js";
import type { InRunJobResult } from "./types.js";

/** RFC 9180 `info` of a sealed in-run features blob: "ingotforge/in-run-features/v1 forge=<forge> job=<jobId> worker=<key>", all lowercase. */
export function inRunFeaturesInfo(to: { forge: Hex; jobId: Hex; workerPublicKey: Hex }): string {
  return `ingotforge/in-run-features/v1 forge=${to.forge.toLowerCase()} job=${to.jobId.toLowerCase()} worker=${to.workerPublicKey.toLowerCase()}`;
}

/**
 * The worker's side of returning an in-run result through a transport: its features (parameter
 * names, every checkpoint's parameters and projected features, as JSON InRunFeaturesWire) sealed
 * with HPKE to the coordinator's result key for this job (`resultRecipient` of the job body; the
 * holdout's IFHE envelope with inRunFeaturesInfo as context), put in the content store, and the
 * signed claim returned with that root. The store, the queue directory and the NATS server see
 * only ciphertext and the claim.
 */
export async function storeInRunResult(p: { result: InRunJobResult; forge: Hex; recipientPublicKey: Uint8Array; store: ContentStore }): Promise<InRunResultClaim> {
  const { result } = p;
  const plaintext = new TextEncoder().encode(JSON.stringify(encodeInRunFeatures(result)));
  const { bytes } = await sealHoldout({ plaintext, recipientPublicKey: p.recipientPublicKey, info: inRunFeaturesInfo({ forge: p.forge, jobId: result.jobId, workerPublicKey: result.workerPublicKey }) });
  const { root } = await p.store.put(bytes);
  return {
    jobId: result.jobId,
    computeId: result.computeId,
    workerPublicKey: result.workerPublicKey,
    adapterHash: result.adapterHash,
    featuresHash: result.featuresHash,
    trainedTokens: result.trainedTokens,
    signature: result.signature,
    featuresRoot: root,
  };
}
