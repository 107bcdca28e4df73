import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { GatewayChainError, toGatewayChainError } from "../../chain/errors.js";
import type { ProofAnchor } from "../types.js";
import { proofLogAbi } from "./proofLogAbi.js";

export interface AppendRootsParameters {
  publicClient: Pick<PublicClient, "simulateContract" | "waitForTransactionReceipt" | "readContract" | "getBlock" | "getChainId">;
  /** Holds the log's APPENDER_ROLE (the settler). */
  walletClient: WalletClient<Transport, Chain, Account>;
  proofLog: Address;
  /** Batch roots, 64 hex each, oldest first. */
  roots: readonly string[];
}

/**
 * Append batch roots to ProofLog in one transaction at the log's next sequence number (read
 * first, so a retry after a mined append is refused by the contract rather than appended twice)
 * and wait for the receipt. Simulated first: a refusal costs no gas.
 * @returns each root's anchor, and the gas the transaction used.
 * @throws GatewayChainError (retryable when the RPC failed; not when the contract refused).
 */
export async function appendRoots({ publicClient, walletClient, proofLog, roots }: AppendRootsParameters): Promise<{ anchors: ProofAnchor[]; gasUsed: bigint; txHash: Hex }> {
  try {
    const first = await publicClient.readContract({ address: proofLog, abi: proofLogAbi, functionName: "nextSequence" });
    const { request } = await publicClient.simulateContract({
      address: proofLog,
      abi: proofLogAbi,
      functionName: "append",
      args: [first, roots.map((r) => `0x${r}` as Hex)],
      account: walletClient.account,
    });
    const txHash = await walletClient.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
    if (receipt.status !== "success") throw new GatewayChainError(`ProofLog.append: transaction ${txHash} reverted`, { retryable: false });
    const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const chainId = await publicClient.getChainId();
    const anchoredAt = new Date(Number(block.timestamp) * 1000).toISOString().replace(/\.000Z$/, "Z");
    return {
      txHash,
      gasUsed: receipt.gasUsed,
      anchors: roots.map((_, i) => ({ chain_id: chainId, contract: proofLog.toLowerCase(), sequence: Number(first) + i, transaction: txHash, block_number: Number(receipt.blockNumber), anchored_at: anchoredAt })),
    };
  } catch (error) {
    throw toGatewayChainError(`appending ${roots.length} batch root(s) to ProofLog ${proofLog}`, error);
  }
}
