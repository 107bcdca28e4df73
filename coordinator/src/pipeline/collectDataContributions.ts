import type { Address, Hex } from "viem";
import type { ProtocolContext } from "../chain/types.js";
import { parseDatasetJsonl } from "../eval/dataset/parseDatasetJsonl.js";
import { exampleHash } from "../eval/dataset/exampleHash.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import type { ContentStore } from "../storage/types.js";
import { tryGetContent } from "../storage/tryGetContent.js";

/** A data contribution as recorded on-chain, with what the coordinator found behind its root. */
export interface DataContribution {
  dataId: number;
  contributor: Address;
  root: Hex;
  sizeBytes: number;
  exampleCount: number;
  metadataURI: string;
  /** Included contributions take part in the eval; excluded ones score zero, with the reason. */
  status: "included" | "excluded";
  reason?: string;
  examples: DatasetExample[];
  /** exampleHash of each example, in file order. */
  exampleHashes: string[];
}

export type CollectDataContributionsParameters = { ctx: ProtocolContext; forge: Address; store: ContentStore };

/**
 * Every data contribution of `forge`, in id order, from its DataContributed events; each is
 * fetched by its 0G root (the store re-hashes what it returns) and parsed. A missing, mismatching
 * or malformed contribution (a storage outage is an error to retry instead), or one whose file disagrees with what was declared on-chain, is
 * excluded with a recorded reason: it scores zero and never fails the Forge.
 */
export async function collectDataContributions(p: CollectDataContributionsParameters): Promise<DataContribution[]> {
  const logs = await p.ctx.publicClient.getContractEvents({
    address: p.forge,
    abi: p.ctx.abis.Forge,
    eventName: "DataContributed",
    fromBlock: 0n,
    strict: true,
  });
  const records = logs
    .map((log) => log.args as { dataId: bigint; contributor: Address; root: Hex; sizeBytes: bigint; exampleCount: number; metadataURI: string })
    .sort((a, b) => (a.dataId < b.dataId ? -1 : 1));
  const out: DataContribution[] = [];
  for (const r of records) {
    const base = {
      dataId: Number(r.dataId),
      contributor: r.contributor,
      root: r.root,
      sizeBytes: Number(r.sizeBytes),
      exampleCount: Number(r.exampleCount),
      metadataURI: r.metadataURI,
    };
    const excluded = (reason: string): DataContribution => ({ ...base, status: "excluded", reason, examples: [], exampleHashes: [] });
    const fetched = await tryGetContent({ store: p.store, root: r.root });
    if (!fetched.ok) {
      // A storage outage must not zero a contributor: only a definitive failure excludes.
      if (fetched.retryable) throw new Error(`Content of data contribution ${base.dataId} is unavailable right now (${fetched.detail}); retry the eval later.`);
      out.push(excluded(`${fetched.reason}: ${fetched.detail}`));
      continue;
    }
    const bytes = fetched.bytes;
    if (bytes.length !== base.sizeBytes) {
      out.push(excluded(`size mismatch: declared ${base.sizeBytes} bytes on-chain, content has ${bytes.length}`));
      continue;
    }
    const { examples, errors } = parseDatasetJsonl(bytes);
    if (errors.length > 0) {
      const first = errors.slice(0, 3).map((e) => `line ${e.line}: ${e.reason}`).join("; ");
      out.push(excluded(`malformed dataset (${errors.length} bad line${errors.length === 1 ? "" : "s"}): ${first}`));
      continue;
    }
    if (examples.length !== base.exampleCount) {
      out.push(excluded(`example count mismatch: declared ${base.exampleCount} on-chain, file has ${examples.length}`));
      continue;
    }
    out.push({ ...base, status: "included", examples, exampleHashes: examples.map((e) => exampleHash(e)) });
  }
  return out;
}
