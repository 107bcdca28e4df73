import type { Ledger } from "../ledger/types.js";
import type { SettlementChain } from "../types.js";

export type SyncChainEventsParameters = {
  ledger: Ledger;
  chain: SettlementChain;
  /** First block to read when the ledger has never synced (default 0). */
  startBlock?: bigint;
};
export type SyncChainEventsReturnType = { fromBlock: bigint; toBlock: bigint; deposits: number; withdrawals: number; debitsElsewhere: number };

/**
 * Read GatewayDeposits' deposits, withdrawal events (requests, cancels, withdrawals) and
 * settlement debits from the block after the ledger's cursor up to the latest block and record
 * them with the new cursor in one transaction (debits of batches the ledger did not create count
 * against the payer; its own are already counted as charges). Safe to
 * repeat or to interrupt: events are keyed by `<txHash>:<logIndex>` and the cursor only moves
 * with the events it covers.
 */
export async function syncChainEvents(p: SyncChainEventsParameters): Promise<SyncChainEventsReturnType> {
  const cursor = p.ledger.syncCursor();
  const fromBlock = cursor === null ? (p.startBlock ?? 0n) : cursor + 1n;
  const toBlock = await p.chain.latestBlock();
  if (toBlock < fromBlock) return { fromBlock, toBlock: cursor ?? toBlock, deposits: 0, withdrawals: 0, debitsElsewhere: 0 };
  const [deposits, withdrawals, debits] = await Promise.all([
    p.chain.readDeposits({ fromBlock, toBlock }),
    p.chain.readWithdrawalEvents({ fromBlock, toBlock }),
    p.chain.readDebits({ fromBlock, toBlock }),
  ]);
  const recorded = p.ledger.recordChainEvents({ deposits, withdrawals, debits, toBlock });
  return { fromBlock, toBlock, ...recorded };
}
