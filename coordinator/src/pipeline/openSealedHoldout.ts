import type { Hex } from "viem";
import { parseDatasetJsonlStrict } from "../eval/dataset/parseDatasetJsonlStrict.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import type { Enclave } from "../enclave/types.js";
import type { ContentStore } from "../storage/types.js";

export type OpenSealedHoldoutParameters = {
  enclave: Enclave;
  store: ContentStore;
  /** The Forge's committed holdout root (its sealed envelope's 0G root). */
  holdoutRoot: Hex;
  /** The example count the Forge committed to. */
  expectedExamples: number;
  /** The info string the creator sealed with. */
  info: string;
};

/**
 * Fetch the sealed holdout by the root the Forge committed to, open it inside the enclave, and
 * parse it all-or-nothing. The plaintext exists only in this process's memory: it is never
 * written, logged, or put in the attribution record.
 */
export async function openSealedHoldout(p: OpenSealedHoldoutParameters): Promise<DatasetExample[]> {
  const envelope = await p.store.get(p.holdoutRoot);
  const plaintext = await p.enclave.openSealed(envelope, { expectedInfo: p.info });
  const examples = parseDatasetJsonlStrict(plaintext, { source: "sealed holdout" });
  plaintext.fill(0);
  if (examples.length !== p.expectedExamples) {
    throw new Error(`The sealed holdout has ${examples.length} examples but the Forge committed to ${p.expectedExamples}; refusing to evaluate.`);
  }
  return examples;
}
