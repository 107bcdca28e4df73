import { openLedger } from "../ledger/openLedger.js";
import type { Ledger } from "../ledger/types.js";

/** Open the ledger at `db`, run a CLI command on it and close it: exit code 0, or 1 with the error's message on `out.error`. */
export function runOnLedger(db: string, out: { error(s: string): void }, run: (ledger: Ledger) => void): number {
  const ledger = openLedger({ path: db });
  try {
    run(ledger);
    return 0;
  } catch (error) {
    out.error((error as Error).message);
    return 1;
  } finally {
    ledger.close();
  }
}
