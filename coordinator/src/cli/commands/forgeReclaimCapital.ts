import type { Address } from "viem";
import { reclaimCapital } from "../../chain/reclaimCapital.js";
import type { ForgeConfig } from "../../chain/types.js";
import { parseAddressOption, requireOption } from "../parseOption.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { defineCommand } from "../types.js";

export const forgeReclaimCapital = defineCommand<{ forge: Address }>({
  group: "forge",
  name: "reclaim-capital",
  summary: "take back your capital, pro rata, from a Live Forge whose escrow could not be released within the grace period",
  usage: "  --forge <address>   the Forge (required; Live, RELEASE_GRACE after the result, escrow not released)",
  options: { forge: { type: "string" } },
  parse: (values) => ({ forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge") }),
  async run(env, { forge }) {
    const ctx = await env.protocol();
    const { amount, position, hash } = await reclaimCapital(ctx, { forge });
    const config = (await ctx.publicClient.readContract({ address: forge, abi: ctx.abis.Forge, functionName: "config" })) as ForgeConfig;
    const units = await readAssetUnits(ctx.publicClient, config.capitalAsset);
    const to = ctx.walletClient.account.address;
    return {
      text: [`Reclaimed ${units.format(amount)} (position ${units.format(position)}) from ${forge} to ${to}`, `  transaction   ${hash}`].join("\n"),
      json: { forge, to, asset: config.capitalAsset, amount, position, hash },
    };
  },
});
