import type { Address, Hex } from "viem";
import type { ProtocolContext } from "../chain/types.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import type { ContentStore } from "../storage/types.js";
import { checkContribution, type OpenContribution } from "./checkContribution.js";

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

export type CollectDataContributionsParameters = {
  ctx: ProtocolContext;
  forge: Address;
  store: ContentStore;
  /** The enclave's opener (Enclave.openContribution): the plaintext exists only in this process. */
  openContribution: OpenContribution;
};

/**
 * Every data contribution of `forge`, in id order, from its DataContributed events; each is
 * fetched by its 0G root (the store re-hashes what it returns), opened inside the enclave for its
 * on-chain binding (chain id, this Forge, the event's contributor) and parsed (checkContribution).
 * A missing, plaintext, unbound, tampered, mis-declared or malformed contribution (a storage
 * outage is an error to retry instead) is excluded with a recorded reason: it scores zero and never
 * fails the Forge. The same root sent by two addresses is two entries: only the one whose sealed
 * binding names its sender can open.
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
  const chainId = await p.ctx.publicClient.getChainId();
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
    const binding = { chainId, forge: p.forge, contributor: r.contributor };
    const checked = await checkContribution({ store: p.store, ...base, binding, openContribution: p.openContribution });
    out.push(checked.ok ? { ...base, status: "included", examples: checked.examples, exampleHashes: checked.exampleHashes } : excluded(checked.reason));
  }
  return out;
}
