import { parseEventLogs, type Address, type Hash, type Hex } from "viem";
import { sendAndWait } from "./sendAndWait.js";
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
  const { hash, receipt } = await sendAndWait(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "contributeData",
    args: [p.root, p.sizeBytes, p.exampleCount, p.metadataURI],
  });
  const [event] = parseEventLogs({ abi: ctx.abis.Forge, logs: receipt.logs, eventName: "DataContributed" });
  return { dataId: (event.args as { dataId: bigint }).dataId, hash };
}
