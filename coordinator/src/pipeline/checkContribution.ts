import type { Hex } from "viem";
import { exampleHash } from "../eval/dataset/exampleHash.js";
import { parseDatasetJsonl } from "../eval/dataset/parseDatasetJsonl.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import { tryGetContent } from "../storage/tryGetContent.js";
import type { ContentStore } from "../storage/types.js";

export type CheckContributionParameters = {
  store: ContentStore;
  dataId: number;
  root: Hex;
  /** What the contributor declared on-chain. */
  sizeBytes: number;
  exampleCount: number;
};

export type CheckContributionReturnType =
  | { ok: true; examples: DatasetExample[]; exampleHashes: string[] }
  | { ok: false; reason: string };

/**
 * Fetch a data contribution by its root (the store re-hashes it) and check it against what was
 * declared on-chain. A definitive failure is a reason to exclude it; a storage outage throws, so
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
  const { examples, errors } = parseDatasetJsonl(bytes);
  if (errors.length > 0) {
    const first = errors.slice(0, 3).map((e) => `line ${e.line}: ${e.reason}`).join("; ");
    return { ok: false, reason: `malformed dataset (${errors.length} bad line${errors.length === 1 ? "" : "s"}): ${first}` };
  }
  if (examples.length !== p.exampleCount) {
    return { ok: false, reason: `example count mismatch: declared ${p.exampleCount} on-chain, file has ${examples.length}` };
  }
  return { ok: true, examples, exampleHashes: examples.map((e) => exampleHash(e)) };
}
