/**
 * Settlement status of a gateway ledger, for an operator. It writes nothing (except the schema
 * upgrade any open gives an older file) and is safe while the gateway runs:
 *
 *   npx tsx gateway/src/cli/settlement.ts status --db F [--asset 0x..]
 *   npx tsx gateway/src/cli/settlement.ts wait --db F [--asset 0x..] [--timeout S]   (runSettlementWait)
 *
 * Prints where the asset's money stands (deposited, charged, settled, waiting in batches, not yet
 * batched, deferred, reserved) and each pending batch with its last settlement transaction:
 * kind, nonce, fees, how long ago it was sent, hash. A batch whose transaction is old is the one
 * the next round replaces (`chain.replaceAfterMs`). Charges not yet batched show their oldest's
 * age: under `chain.minBatchAmountWei` they wait up to `chain.maxBatchDelayMs` from it.
 */
import { isMainModule } from "./isMainModule.js";
import { isAddress, zeroAddress, type Address } from "viem";
import { z } from "zod";
import { parseCommand } from "./parseCommand.js";
import { runOnLedger } from "./runOnLedger.js";
import { runSettlementWait, SETTLEMENT_WAIT_USAGE } from "./runSettlementWait.js";

const commandSchema = z.object({
  command: z.literal("status"),
  db: z.string().min(1),
  asset: z
    .string()
    .refine((s) => isAddress(s), "must be a 0x-prefixed 20-byte address")
    .transform((s) => s as Address)
    .default(zeroAddress),
});

export const SETTLEMENT_USAGE = `usage:
  settlement status --db FILE [--asset 0xTOKEN]   (default ETH, the zero address)
${SETTLEMENT_WAIT_USAGE}`;

/** Run the settlement CLI on `argv` (without node and script); returns the exit code. `now` dates the sends' ages. */
export function runSettlementCli(argv: string[], out: { log(s: string): void; error(s: string): void }, now: () => number = Date.now): number {
  const parsed = parseCommand(argv, ["db", "asset"], commandSchema, SETTLEMENT_USAGE, out);
  if (!parsed) return 2;

  return runOnLedger(parsed.db, out, (ledger) => {
    const t = ledger.totals(parsed.asset);
    const backlog = ledger.settlementBacklog(parsed.asset);
    const line = (label: string, text: string) => out.log(`  ${label.padEnd(20)}${text}`);
    out.log(`settlement of ${parsed.asset === zeroAddress ? "ETH" : parsed.asset} in ${parsed.db} (amounts in wei)`);
    line("deposited", `${t.deposited}`);
    line("withdrawn", `${t.withdrawn} (${t.pendingWithdrawals} more requested)`);
    line("charged", `${t.charged} in ${t.chargeCount} charges`);
    line("settled", `${t.settled} in ${t.settledChargeCount} charges`);
    line("in pending batches", `${t.batched - t.settled}`);
    const oldest = backlog.oldestChargeAt ? `, the oldest ${ago(now() - Date.parse(backlog.oldestChargeAt))} ago` : "";
    const withdrawing = backlog.withdrawingPayers.length > 0 ? `; ${backlog.withdrawingPayers.length} of their payers requested a withdrawal (settled next round)` : "";
    line("not yet batched", `${backlog.amount} in ${backlog.charges} charges${oldest}${withdrawing}`);
    line("deferred", `${t.deferred} (waiting for their payers' next deposit)`);
    line("reserved", `${t.reserved} (calls being served)`);
    const pending = ledger.pendingBatches().filter((b) => b.asset.toLowerCase() === parsed.asset.toLowerCase());
    if (pending.length === 0) {
      out.log("no pending batches");
      return;
    }
    out.log(`pending batches, oldest first (${pending.length}):`);
    for (const b of pending) {
      const amount = b.debits.reduce((s, d) => s + d.amount, 0n);
      const last = ledger.settlementSends(b.batchId).at(-1);
      const sent = last
        ? `last sent: ${last.kind} at nonce ${last.nonce}, max fee ${last.maxFeePerGas} wei/gas, tip ${last.maxPriorityFeePerGas}, ${ago(now() - last.sentAtMs)} ago, ${last.txHash ?? "broadcast not confirmed"}`
        : "not sent yet";
      out.log(`  ${b.batchId}  ${b.chargeIds.length} charges, ${amount}; ${sent}`);
    }
  });
}

/** 3725000 → "1h 2m 5s". */
function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const parts = [[Math.floor(s / 3600), "h"], [Math.floor((s % 3600) / 60), "m"], [s % 60, "s"]] as const;
  const shown = parts.filter(([n], i) => n > 0 || i === 2);
  return shown.map(([n, u]) => `${n}${u}`).join(" ");
}

if (isMainModule(import.meta.url)) {
  const argv = process.argv.slice(2);
  process.exitCode = argv[0] === "wait" ? await runSettlementWait(argv, console) : runSettlementCli(argv, console);
}
