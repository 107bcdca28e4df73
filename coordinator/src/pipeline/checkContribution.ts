import type { Hex } from "viem";
import { exampleHash } from "../eval/dataset/exampleHash.js";
import { parseDatasetJsonl } from "../eval/dataset/parseDatasetJsonl.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import { decodeContributionEnvelope, looksSealedContribution } from "../sealing/decodeContributionEnvelope.js";
import { ContributionEnvelopeFormatError, ContributionOpenError } from "../sealing/errors.js";
import type { ContributionBinding } from "../sealing/types.js";
import { tryGetContent } from "../storage/tryGetContent.js";
import type { ContentStore } from "../storage/types.js";

/** Opens a sealed contribution for its on-chain binding inside the enclave (Enclave.openContribution). */
export type OpenContribution = (envelope: Uint8Array, expected: ContributionBinding) => Promise<Uint8Array>;

export type CheckContributionParameters = {
  store: ContentStore;
  dataId: number;
  root: Hex;
  /** What the contributor declared on-chain: the envelope's byte length, the plaintext's example count. */
  sizeBytes: number;
  exampleCount: number;
  /** The chain, the Forge, and the address that sent `contributeData` (the DataContributed event's). */
  binding: ContributionBinding;
  openContribution: OpenContribution;
};

export type CheckContributionReturnType =
  | { ok: true; examples: DatasetExample[]; exampleHashes: string[] }
  | { ok: false; reason: string };

/** Why a plaintext contribution is refused (a stable prefix in the attribution record). */
export const NOT_SEALED_REASON = "not sealed to the Forge's enclave";

/**
 * Fetch a data contribution by its root (the store re-hashes it), check it against what was
 * declared on-chain, and open it inside the enclave for its on-chain binding. A definitive failure
 * is a reason to exclude it: plaintext (anyone could read and copy it before the window closed),
 * an envelope sealed for another sender, Forge or chain ("unbound"), one that does not open
 * (another key, or altered), a malformed file, a wrong size or count. A storage outage throws, so
 * a transient problem never zeroes a contributor. The coordinator and `replay` both call this.
 */
export async function checkContribution(p: CheckContributionParameters): Promise<CheckContributionReturnType> {
  const fetched = await tryGetContent({ store: p.store, root: p.root });
  if (!fetched.ok) {
    if (fetched.retryable) throw new Error(`Content of data contribution ${p.dataId} is unavailable right now (${fetched.detail}); retry later.`);
    return { ok: false, reason: `${fetched.reason}: ${fetched.detail}` };
  }
  const bytes = fetched.bytes;
  if (bytes.length !== p.sizeBytes) return { ok: false, reason: `size mismatch: declared ${p.sizeBytes} bytes on-chain, content has ${bytes.length}` };
  if (!looksSealedContribution(bytes)) {
    return { ok: false, reason: `${NOT_SEALED_REASON}: the content is plaintext, readable and copyable by anyone before the window closed; seal it with \`forge contribute-data\`` };
  }
  let sealedFor: ContributionBinding;
  try {
    sealedFor = decodeContributionEnvelope(bytes).envelope.binding;
  } catch (error) {
    if (error instanceof ContributionEnvelopeFormatError) return { ok: false, reason: `malformed envelope: ${error.message}` };
    throw error;
  }
  const unbound = bindingMismatch(sealedFor, p.binding);
  if (unbound) return { ok: false, reason: unbound };

  let plaintext: Uint8Array;
  try {
    plaintext = await p.openContribution(bytes, p.binding);
  } catch (error) {
    if (error instanceof ContributionOpenError) return { ok: false, reason: "tampered or sealed to another key: the envelope does not open in this enclave" };
    throw error;
  }
  const { examples, errors } = parseDatasetJsonl(plaintext);
  plaintext.fill(0);
  if (errors.length > 0) {
    const first = errors.slice(0, 3).map((e) => `line ${e.line}: ${e.reason}`).join("; ");
    return { ok: false, reason: `malformed dataset (${errors.length} bad line${errors.length === 1 ? "" : "s"}): ${first}` };
  }
  if (examples.length !== p.exampleCount) {
    return { ok: false, reason: `example count mismatch: declared ${p.exampleCount} on-chain, file has ${examples.length}` };
  }
  return { ok: true, examples, exampleHashes: examples.map((e) => exampleHash(e)) };
}

/** The "unbound: …" reason when the envelope's clear binding is not the on-chain one, else undefined. */
function bindingMismatch(sealedFor: ContributionBinding, onChain: ContributionBinding): string | undefined {
  if (sealedFor.contributor.toLowerCase() !== onChain.contributor.toLowerCase()) {
    return `unbound: sealed for ${sealedFor.contributor} but contributed by ${onChain.contributor}`;
  }
  if (sealedFor.forge.toLowerCase() !== onChain.forge.toLowerCase()) return `unbound: sealed for Forge ${sealedFor.forge}, not this Forge ${onChain.forge}`;
  if (sealedFor.chainId !== onChain.chainId) return `unbound: sealed for chain ${sealedFor.chainId}, not chain ${onChain.chainId}`;
  return undefined;
}
