import { parseEventLogs, type Address } from "viem";
import { sendAndWait } from "../../chain/sendAndWait.js";
import type { ForgeConfig } from "../../chain/types.js";
import { parseAddressOption, requireOption } from "../parseOption.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { defineCommand } from "../types.js";

export const forgeRefund = defineCommand<{ forge: Address }>({
  group: "forge",
  name: "refund",
  summary: "withdraw your whole capital position from a FAILED Forge",
  usage: "  --forge <address>   the Forge (required; it must be Failed: eval deadline passed with no result)",
  options: { forge: { type: "string" } },
  parse: (values) => ({ forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge") }),
  async run(env, { forge }) {
    const ctx = await env.protocol();
    const { hash, receipt } = await sendAndWait(ctx, { address: forge, abi: ctx.abis.Forge, functionName: "refund" });
    const [event] = parseEventLogs({ abi: ctx.abis.Forge, logs: receipt.logs, eventName: "CapitalRefunded" });
    const amount = (event.args as { amount: bigint }).amount;
    const config = (await ctx.publicClient.readContract({ address: forge, abi: ctx.abis.Forge, functionName: "config" })) as ForgeConfig;
    const units = await readAssetUnits(ctx.publicClient, config.capitalAsset);
    return {
      text: [`Refunded ${units.format(amount)} from ${forge} to ${ctx.walletClient.account.address}`, `  transaction   ${hash}`].join("\n"),
      json: { forge, to: ctx.walletClient.account.address, asset: config.capitalAsset, amount, hash },
    };
  },
});
