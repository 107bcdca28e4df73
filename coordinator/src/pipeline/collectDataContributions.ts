import type { Address, Hex } from "viem";
import type { ProtocolContext } from "../chain/types.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import type { ContentStore } from "../storage/types.js";
import { checkContribution } from "./checkContribution.js";

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
    const checked = await checkContribution({ store: p.store, ...base });
    out.push(checked.ok ? { ...base, status: "included", examples: checked.examples, exampleHashes: checked.exampleHashes } : excluded(checked.reason));
  }
  return out;
}
