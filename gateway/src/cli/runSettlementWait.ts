import { isAddress, zeroAddress, type Address } from "viem";
import { z } from "zod";
import { parseCommand } from "./parseCommand.js";
import { runOnLedger } from "./runOnLedger.js";
import type { LedgerTotals } from "../ledger/types.js";

const waitSchema = z.object({
  command: z.literal("wait"),
  db: z.string().min(1),
  asset: z
    .string()
    .refine((s) => isAddress(s), "must be a 0x-prefixed 20-byte address")
    .transform((s) => s as Address)
    .default(zeroAddress),
  timeout: z.coerce.number().int().positive().default(120),
});

export const SETTLEMENT_WAIT_USAGE = `  settlement wait   --db FILE [--asset 0xTOKEN] [--timeout SECONDS]   (until every charge so far is settled on chain; default 120 s)`;

/**
 * `settlement wait`: polls the ledger (read-only, safe while the gateway runs) until every charge
 * committed so far is settled on chain and no call holds a reservation, then prints what was
 * settled; exit 0. Exit 1 when `--timeout` passes first (saying what still waits: a gateway that
 * is not running, a batch stuck in the mempool, charges deferred until their payer deposits).
 * For scripts and walk-throughs that must see a paid call reach the RevenueSplitter.
 */
export async function runSettlementWait(argv: string[], out: { log(s: string): void; error(s: string): void }, pollMs = 500): Promise<number> {
  const parsed = parseCommand(argv, ["db", "asset", "timeout"], waitSchema, `usage:\n${SETTLEMENT_WAIT_USAGE}`, out);
  if (!parsed) return 2;
  const started = Date.now();
  for (;;) {
    let totals: LedgerTotals | undefined;
    const code = runOnLedger(parsed.db, out, (ledger) => {
      totals = ledger.totals(parsed.asset);
    });
    if (code !== 0 || !totals) return code || 1;
    const t = totals;
    const seconds = Math.round((Date.now() - started) / 1000);
    if (t.settled === t.charged && t.reserved === 0n) {
      out.log(`settled: ${t.settled} wei in ${t.settledChargeCount} charges, every charge so far (${seconds} s)`);
      return 0;
    }
    if (Date.now() - started >= parsed.timeout * 1000) {
      out.error(
        `after ${seconds} s, ${t.charged - t.settled} wei of ${t.charged} charged is not settled yet (${t.batched - t.settled} in pending batches, ${t.deferred} deferred until their payers deposit, ${t.reserved} reserved by calls being served). ` +
          "Is the gateway running with a `chain` section? `settlement status` shows each pending batch's last transaction.",
      );
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
