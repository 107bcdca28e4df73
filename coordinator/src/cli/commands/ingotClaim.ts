import type { Address, Hash } from "viem";
import { claimRevenue } from "../../chain/claimRevenue.js";
import { optionalString, parseAddressOption, parseIntegerOption, requireOption } from "../parseOption.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { defineCommand } from "../types.js";

export interface IngotClaimOptions {
  ingotId: bigint;
  asset?: Address;
  to?: Address;
}

export const ingotClaim = defineCommand<IngotClaimOptions>({
  group: "ingot",
  name: "claim",
  summary: "claim what your shares of an Ingot earned (every asset with something claimable)",
  usage: [
    "  --ingot <id>        the Ingot (required)",
    "  --asset <address>   claim only this asset (0x0000000000000000000000000000000000000000 = ETH)",
    "  --to <address>      send it there (default: the sending account)",
  ].join("\n"),
  options: { ingot: { type: "string" }, asset: { type: "string" }, to: { type: "string" } },
  parse: (values) => ({
    ingotId: parseIntegerOption(requireOption(values.ingot, "--ingot"), "--ingot", { min: 1n }),
    asset: optionalString(values.asset) ? parseAddressOption(String(values.asset), "--asset") : undefined,
    to: optionalString(values.to) ? parseAddressOption(String(values.to), "--to") : undefined,
  }),
  async run(env, options) {
    const ctx = await env.protocol();
    const holder = ctx.walletClient.account.address;
    const splitter = { address: ctx.addresses.splitter, abi: ctx.abis.RevenueSplitter } as const;
    const assets = options.asset ? [options.asset] : ((await ctx.publicClient.readContract({ ...splitter, functionName: "assetsOf", args: [options.ingotId] })) as Address[]);
    const claims: { asset: Address; amount: bigint; hash: Hash }[] = [];
    const lines: string[] = [];
    for (const asset of assets) {
      const claimable = (await ctx.publicClient.readContract({ ...splitter, functionName: "claimable", args: [options.ingotId, asset, holder] })) as bigint;
      // With an explicit --asset, claim even zero so the contract's own answer (e.g. an unknown Ingot) is shown.
      if (claimable === 0n && !options.asset) continue;
      const { amount, hash } = await claimRevenue(ctx, { ingotId: options.ingotId, asset, to: options.to });
      const units = await readAssetUnits(ctx.publicClient, asset);
      claims.push({ asset, amount, hash });
      lines.push(`  ${units.format(amount).padEnd(30)} ${hash}`);
    }
    const to = options.to ?? holder;
    const text = claims.length === 0 ? `Nothing to claim on Ingot #${options.ingotId} for ${holder}.` : [`Claimed from Ingot #${options.ingotId} to ${to}:`, ...lines].join("\n");
    return { text, json: { ingotId: options.ingotId, holder, to, claims } };
  },
});
