/**
 * Key admin CLI for the gateway's ledger:
 *
 *   npx tsx gateway/src/cli/keys.ts create --db F --payer 0x.. [--label L] [--rate N]
 *   npx tsx gateway/src/cli/keys.ts revoke --db F --key-id ID
 *   npx tsx gateway/src/cli/keys.ts list   --db F [--payer 0x..]
 *
 * `create` prints the plaintext key once; the ledger keeps only its SHA-256.
 */
import { isMainModule } from "./isMainModule.js";
import { isAddress, type Address } from "viem";
import { z } from "zod";
import { parseCommand } from "./parseCommand.js";
import { runOnLedger } from "./runOnLedger.js";

const address = z.string().refine((s) => isAddress(s), "must be a 0x-prefixed 20-byte address").transform((s) => s as Address);
const commandSchema = z.discriminatedUnion("command", [
  z.object({
    command: z.literal("create"),
    db: z.string().min(1),
    payer: address,
    label: z.string().optional(),
    rate: z.coerce.number().int().positive().optional(),
  }),
  z.object({ command: z.literal("revoke"), db: z.string().min(1), "key-id": z.string().min(1) }),
  z.object({ command: z.literal("list"), db: z.string().min(1), payer: address.optional() }),
]);

export const KEYS_USAGE = `usage:
  keys create --db FILE --payer 0xADDRESS [--label TEXT] [--rate REQUESTS_PER_MINUTE]
  keys revoke --db FILE --key-id ID
  keys list   --db FILE [--payer 0xADDRESS]`;

/** Run the key admin CLI on `argv` (without node and script); returns the exit code. */
export function runKeysCli(argv: string[], out: { log(s: string): void; error(s: string): void }): number {
  const parsed = parseCommand(argv, ["db", "payer", "label", "rate", "key-id"], commandSchema, KEYS_USAGE, out);
  if (!parsed) return 2;

  return runOnLedger(parsed.db, out, (ledger) => {
    if (parsed.command === "create") {
      const { keyId, apiKey } = ledger.createApiKey({ payer: parsed.payer, label: parsed.label, rateLimitPerMinute: parsed.rate });
      out.log(`key id:  ${keyId}\napi key: ${apiKey}\n(shown once: only its SHA-256 is stored)`);
    } else if (parsed.command === "revoke") {
      ledger.revokeApiKey(parsed["key-id"]);
      out.log(`revoked ${parsed["key-id"]}`);
    } else {
      const keys = ledger.listApiKeys(parsed.payer);
      const rows = [
        ["KEY ID", "PAYER", "LABEL", "RATE/MIN", "CREATED", "STATUS"],
        ...keys.map((k) => [k.keyId, k.payer, k.label ?? "", k.rateLimitPerMinute?.toString() ?? "unlimited", k.createdAt, k.revokedAt ? `revoked ${k.revokedAt}` : "active"]),
      ];
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows) out.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
      if (keys.length === 0) out.log("(no keys)");
    }
  });
}

if (isMainModule(import.meta.url)) {
  process.exitCode = runKeysCli(process.argv.slice(2), console);
}
