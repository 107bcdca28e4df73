import type { Hex } from "viem";
import { openHoldout } from "../../sealing/openHoldout.js";
import type { ContentStore } from "../../storage/types.js";
import { decodeInRunFeatures, InRunResultFormatError, type InRunResultClaim } from "./inRunResultWire.js";
import { inRunFeaturesInfo } from "./storeInRunResult.js";
import type { InRunJobResult } from "./types.js";

/**
 * The coordinator's side of storeInRunResult: fetch the sealed features the claim names from the
 * store (which re-hashes them to the root), open them with this job's result key, decode them bit
 * for bit, and return the full result — still to be checked (checkInRunResult: the features must
 * hash to the signed featuresHash). Throws InRunResultFormatError when the blob is missing, sealed
 * to another key or context, or not features.
 */
export async function fetchInRunResult(p: { claim: InRunResultClaim; forge: Hex; recipientPrivateKey: Uint8Array; store: ContentStore }): Promise<InRunJobResult> {
  const { claim } = p;
  let sealed: Uint8Array;
  try {
    sealed = await p.store.get(claim.featuresRoot);
  } catch (cause) {
    throw new InRunResultFormatError(`The in-run features ${claim.featuresRoot} are not in the store: ${(cause as Error).message}`, { cause });
  }
  let plaintext: Uint8Array;
  try {
    plaintext = await openHoldout({ envelope: sealed, recipientPrivateKey: p.recipientPrivateKey, expectedInfo: inRunFeaturesInfo({ forge: p.forge, jobId: claim.jobId, workerPublicKey: claim.workerPublicKey }) });
  } catch (cause) {
    throw new InRunResultFormatError(`The in-run features ${claim.featuresRoot} do not open with this job's result key (sealed for another job, worker or coordinator run)`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch (cause) {
    throw new InRunResultFormatError(`The in-run features ${claim.featuresRoot} are not JSON`, { cause });
  }
  const { featuresRoot: _root, ...signed } = claim;
  return { ...signed, ...decodeInRunFeatures(json) };
}
