import type { Ledger } from "../ledger/types.js";
import type { SettlementChain } from "../types.js";

export type SyncChainEventsParameters = {
  ledger: Ledger;
  chain: SettlementChain;
  /** First block to read when the ledger has never synced (default 0). */
  startBlock?: bigint;
};
export type SyncChainEventsReturnType = { fromBlock: bigint; toBlock: bigint; deposits: number; withdrawals: number };

/**
 * Read GatewayDeposits' deposits and withdrawal events (requests, cancels, withdrawals) from the block after the ledger's
 * cursor up to the latest block and record them with the new cursor in one transaction. Safe to
 * repeat or to interrupt: events are keyed by `<txHash>:<logIndex>` and the cursor only moves
 * with the events it covers.
 */
export async function syncChainEvents(p: SyncChainEventsParameters): Promise<SyncChainEventsReturnType> {
  const cursor = p.ledger.syncCursor();
  const fromBlock = cursor === null ? (p.startBlock ?? 0n) : cursor + 1n;
  const toBlock = await p.chain.latestBlock();
  if (toBlock < fromBlock) return { fromBlock, toBlock: cursor ?? toBlock, deposits: 0, withdrawals: 0 };
  const [deposits, withdrawals] = await Promise.all([
    p.chain.readDeposits({ fromBlock, toBlock }),
    p.chain.readWithdrawalEvents({ fromBlock, toBlock }),
  ]);
  const recorded = p.ledger.recordChainEvents({ deposits, withdrawals, toBlock });
  return { fromBlock, toBlock, ...recorded };
}
