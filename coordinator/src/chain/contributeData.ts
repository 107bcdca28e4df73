import type { Address, Hash, Hex } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import { readForgeConfig } from "./readForgeConfig.js";
import type { ProtocolContext } from "./types.js";

export type ContributeDataParameters = {
  forge: Address;
  /** 0G Merkle root of the JSONL file (see coordinator/src/storage). */
  root: Hex;
  sizeBytes: bigint;
  exampleCount: number;
  metadataURI: string;
  /** The bond to send (wei); default: the Forge's `dataBond`, read from it. */
  bond?: bigint;
};

export type ContributeDataReturnType = { dataId: bigint; hash: Hash; bond: bigint };

/**
 * Record a data contribution (its content lives in storage under `root`), sending the Forge's
 * bond: refunded when the contribution is included or the Forge fails, forfeited when excluded.
 */
export async function contributeData(ctx: ProtocolContext, p: ContributeDataParameters): Promise<ContributeDataReturnType> {
  const bond = p.bond ?? (await readForgeConfig(ctx, p.forge)).dataBond;
  const { hash, args } = await sendAndReadEvent<{ dataId: bigint }>(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "contributeData",
    args: [p.root, p.sizeBytes, p.exampleCount, p.metadataURI],
    value: bond,
    eventName: "DataContributed",
  });
  return { dataId: args.dataId, hash, bond };
}
