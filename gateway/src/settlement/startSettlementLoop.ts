import type { Logger } from "pino";
import type { Ledger } from "../ledger/types.js";
import type { Asset, SettlementChain } from "../types.js";
import { GatewayChainError } from "../chain/errors.js";
import { settlePending, type BatchHold } from "./settlePending.js";
import { syncChainEvents } from "./syncChainEvents.js";
import { sleep } from "../../../coordinator/src/util/sleep.js";

export type StartSettlementLoopParameters = {
  ledger: Ledger;
  chain: SettlementChain;
  /** Assets to settle each round (ETH is the zero address). */
  assets: Asset[];
  maxCharges: number;
  /** See settlePending (default 180 s). */
  replaceAfterMs?: number;
  /** See settlePending (default: no hold). */
  hold?: BatchHold;
  intervalMs: number;
  /** First block to read when the ledger has never synced (GatewayDeposits' deployment block; default 0). */
  startBlock?: bigint;
  /** Aborting stops the loop after the round in progress. */
  signal: AbortSignal;
  logger: Pick<Logger, "info" | "warn" | "error">;
};

/**
 * Every `intervalMs`: sync deposits, withdrawal events and settlement debits, then settle every asset's pending
 * charges (holding small ones back under `hold`, logged when what is held changes). A failing round is logged (a retryable chain error, such as a transaction still
 * waiting to be mined, as a warning) and retried next round (nothing is lost: the ledger holds
 * every charge and batch). Resolves when `signal` aborts and the running round has finished.
 */
export async function startSettlementLoop(p: StartSettlementLoopParameters): Promise<void> {
  const lastHeld = new Map<Asset, string | null>();
  while (!p.signal.aborted) {
    try {
      const sync = await syncChainEvents({ ledger: p.ledger, chain: p.chain, ...(p.startBlock !== undefined ? { startBlock: p.startBlock } : {}) });
      if (sync.deposits || sync.withdrawals || sync.debitsElsewhere) p.logger.info({ ...sync, fromBlock: String(sync.fromBlock), toBlock: String(sync.toBlock) }, "chain events recorded");
      for (const asset of p.assets) {
        const s = await settlePending({ ledger: p.ledger, chain: p.chain, asset, maxCharges: p.maxCharges, ...(p.replaceAfterMs !== undefined ? { replaceAfterMs: p.replaceAfterMs } : {}), ...(p.hold ? { hold: p.hold } : {}) });
        for (const r of s.refusals) {
          p.logger.warn(
            { asset, batchId: r.batchId, payer: r.payer, balance: String(r.balance), debit: String(r.debit), deferredCharges: r.deferredChargeIds.length, deferredAmount: String(r.deferredAmount) },
            "a payer's deposit no longer covers their charges: the batch was dissolved and those charges wait for the payer's next deposit",
          );
        }
        if (s.batches) p.logger.info({ asset, batches: s.batches, charges: s.charges, gasUsed: String(s.gasUsed), alreadySettled: s.alreadySettled }, "charges settled");
        // Once per change in what is held, not every round.
        const held = s.held ? `${s.held.charges}:${s.held.amount}` : null;
        if (s.held && held !== lastHeld.get(asset)) {
          p.logger.info({ asset, charges: s.held.charges, amount: String(s.held.amount), dueAt: new Date(s.held.dueAtMs).toISOString() }, "charges wait to be batched until they add up to chain.minBatchAmountWei, or until the oldest is due");
        }
        lastHeld.set(asset, held);
      }
    } catch (error) {
      // Waiting for a transaction to be mined, or an RPC node that did not answer: the next round goes on.
      if (error instanceof GatewayChainError && error.retryable) p.logger.warn({ err: error }, "settlement round stopped early; retrying next round");
      else p.logger.error({ err: error }, "settlement round failed; retrying next round");
    }
    if (p.signal.aborted) break;
    await sleep(p.intervalMs, p.signal);
  }
}
