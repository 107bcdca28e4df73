import type { Address } from "viem";
import { contributeCapital } from "../../chain/contributeCapital.js";
import type { ForgeConfig } from "../../chain/types.js";
import { parseAmount } from "../parseAmount.js";
import { parseAddressOption, requireOption } from "../parseOption.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { defineCommand } from "../types.js";

export interface ForgeContributeCapitalOptions {
  forge: Address;
  /** Decimal text; its base units depend on the Forge's asset, read at run time. */
  amount: string;
}

export const forgeContributeCapital = defineCommand<ForgeContributeCapitalOptions>({
  group: "forge",
  name: "contribute-capital",
  summary: "escrow capital in a Forge (ETH, or the Forge's ERC-20 after an exact approval)",
  usage: ["  --forge <address>    the Forge (required)", "  --amount <decimal>   e.g. 1.5 (ETH, or whole tokens of the Forge's ERC-20; required)"].join("\n"),
  options: { forge: { type: "string" }, amount: { type: "string" } },
  parse(values) {
    const amount = requireOption(values.amount, "--amount");
    parseAmount(amount, "--amount", 18, "ETH or tokens"); // shape only; decimals are checked against the asset in run
    return { forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge"), amount };
  },
  async run(env, options) {
    const ctx = await env.protocol();
    const config = (await ctx.publicClient.readContract({ address: options.forge, abi: ctx.abis.Forge, functionName: "config" })) as ForgeConfig;
    const units = await readAssetUnits(ctx.publicClient, config.capitalAsset);
    const amount = parseAmount(options.amount, "--amount", units.decimals, units.symbol);
    const { credited, hash, approveHash } = await contributeCapital(ctx, { forge: options.forge, amount });
    const total = (await ctx.publicClient.readContract({
      address: options.forge,
      abi: ctx.abis.Forge,
      functionName: "capitalOf",
      args: [ctx.walletClient.account.address],
    })) as bigint;
    const lines = [
      `Escrowed ${units.format(credited)} in ${options.forge}${credited !== amount ? ` (sent ${units.format(amount)}; the token kept a fee)` : ""}`,
      `  your position  ${units.format(total)}`,
    ];
    if (approveHash) lines.push(`  approval       ${approveHash}`);
    lines.push(`  transaction    ${hash}`);
    return { text: lines.join("\n"), json: { forge: options.forge, asset: units.asset, amount, credited, position: total, hash, approveHash } };
  },
});
