import { formatEther, parseEventLogs, type Address } from "viem";
import { BOND_POOLS, refundBond } from "../../chain/refundBond.js";
import { CliUsageError } from "../errors.js";
import { parseAddressOption, parseIntegerOption, requireOption } from "../parseOption.js";
import { defineCommand } from "../types.js";

export interface ForgeRefundBondOptions {
  forge: Address;
  pool: keyof typeof BOND_POOLS;
  id: bigint;
}

export const forgeRefundBond = defineCommand<ForgeRefundBondOptions>({
  group: "forge",
  name: "refund-bond",
  summary: "send an entry's bond back to whoever made it (Live and included, or Failed; anyone may send)",
  usage: [
    "  --forge <address>   the Forge (required)",
    "  --pool <data|compute>  the entry's pool (required)",
    "  --id <n>            the data id or compute id (required)",
  ].join("\n"),
  options: { forge: { type: "string" }, pool: { type: "string" }, id: { type: "string" } },
  parse: (values) => {
    const pool = requireOption(values.pool, "--pool");
    if (pool !== "data" && pool !== "compute") throw new CliUsageError("--pool must be data or compute.");
    return {
      forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge"),
      pool,
      id: parseIntegerOption(requireOption(values.id, "--id"), "--id", { min: 0n }),
    };
  },
  async run(env, options) {
    const ctx = await env.protocol();
    const { hash } = await refundBond(ctx, options);
    const receipt = await ctx.publicClient.getTransactionReceipt({ hash });
    const [event] = parseEventLogs({ abi: ctx.abis.Forge, logs: receipt.logs, eventName: "BondRefunded" });
    const { to, amount } = event.args as { to: Address; amount: bigint };
    return {
      text: [`Refunded the ${formatEther(amount)} ETH bond of ${options.pool} #${options.id} to ${to}`, `  transaction   ${hash}`].join("\n"),
      json: { forge: options.forge, pool: options.pool, id: options.id, to, amount, hash },
    };
  },
});
