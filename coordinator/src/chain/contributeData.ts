import type { Address, Hash, Hex } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import type { ProtocolContext } from "./types.js";

export type ContributeDataParameters = {
  forge: Address;
  /** 0G Merkle root of the JSONL file (see coordinator/src/storage). */
  root: Hex;
  sizeBytes: bigint;
  exampleCount: number;
  metadataURI: string;
};

export type ContributeDataReturnType = { dataId: bigint; hash: Hash };

/** Record a data contribution (its content lives in storage under `root`). */
export async function contributeData(ctx: ProtocolContext, p: ContributeDataParameters): Promise<ContributeDataReturnType> {
  const { hash, args } = await sendAndReadEvent<{ dataId: bigint }>(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "contributeData",
    args: [p.root, p.sizeBytes, p.exampleCount, p.metadataURI],
    eventName: "DataContributed",
  });
  return { dataId: args.dataId, hash };
}
