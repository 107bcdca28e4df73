import type { Hash, PublicClient } from "viem";
import { ChainError } from "./errors.js";

export type ReadQuoteBlockReturnType = { number: bigint; hash: Hash };

/**
 * The block an enclave registration quote is made over: the parent of the chain's latest block.
 * Its hash goes into the quote's report data (`reportDataFor`) and its number into
 * `registerEnclave`, which accepts it while it is one of the registry's last 256 blocks
 * (`QUOTE_MAX_AGE_BLOCKS`). The parent, not the latest block itself: a call simulated or
 * gas-estimated at `latest` runs with `block.number == latest`, where `blockhash(latest)` is still
 * zero. Send the registration right after quoting; if a reorg replaces the block, quote again.
 * @throws ChainError when the chain has no block before its latest one yet (mine one first).
 */
export async function readQuoteBlock(client: Pick<PublicClient, "getBlock">): Promise<ReadQuoteBlockReturnType> {
  const latest = await client.getBlock({ blockTag: "latest" });
  if (latest.number === null || latest.number === 0n) {
    throw new ChainError("The chain has only its genesis block: a registration quote needs a block before the latest one. Mine or wait for one block, then register.");
  }
  const parent = await client.getBlock({ blockHash: latest.parentHash });
  if (parent.hash === null || parent.number === null) throw new ChainError(`The RPC node returned block ${latest.parentHash} without its hash or number; retry, or use another RPC endpoint.`);
  return { number: parent.number, hash: parent.hash };
}
