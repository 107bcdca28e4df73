import { parseEventLogs, zeroAddress, type Address } from "viem";
import { payRevenue } from "../../chain/payRevenue.js";
import { parseAmount } from "../parseAmount.js";
import { optionalString, parseAddressOption, parseIntegerOption, requireOption } from "../parseOption.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { defineCommand } from "../types.js";

export interface IngotPayOptions {
  ingotId: bigint;
  amount: string;
  asset: Address;
}

export const ingotPay = defineCommand<IngotPayOptions>({
  group: "ingot",
  name: "pay",
  summary: "pay revenue to an Ingot's share holders (and its ancestors' royalty)",
  usage: [
    "  --ingot <id>         the Ingot (required)",
    "  --amount <decimal>   e.g. 0.25 (required)",
    "  --asset <address>    pay in this ERC-20 instead of ETH (the Ingot's capital asset or an allowlisted one)",
  ].join("\n"),
  options: { ingot: { type: "string" }, amount: { type: "string" }, asset: { type: "string" } },
  parse(values) {
    const amount = requireOption(values.amount, "--amount");
    parseAmount(amount, "--amount", 18, "ETH or tokens");
    return {
      ingotId: parseIntegerOption(requireOption(values.ingot, "--ingot"), "--ingot", { min: 1n }),
      amount,
      asset: optionalString(values.asset) ? parseAddressOption(String(values.asset), "--asset") : zeroAddress,
    };
  },
  async run(env, options) {
    const ctx = await env.protocol();
    const units = await readAssetUnits(ctx.publicClient, options.asset);
    const amount = parseAmount(options.amount, "--amount", units.decimals, units.symbol);
    const { hash, approveHash } = await payRevenue(ctx, { ingotId: options.ingotId, asset: options.asset, amount });
    const receipt = await ctx.publicClient.getTransactionReceipt({ hash });
    const [paid] = parseEventLogs({ abi: ctx.abis.RevenueSplitter, logs: receipt.logs, eventName: "Paid" });
    const { amount: credited, royalty } = (paid?.args ?? { amount, royalty: 0n }) as { amount: bigint; royalty: bigint };
    const lines = [`Paid ${units.format(credited)} to the holders of Ingot #${options.ingotId}`];
    if (royalty > 0n) lines.push(`  royalty        ${units.format(royalty)} forwarded up the lineage`);
    if (approveHash) lines.push(`  approval       ${approveHash}`);
    lines.push(`  transaction    ${hash}`);
    return { text: lines.join("\n"), json: { ingotId: options.ingotId, asset: options.asset, amount, credited, royalty, hash, approveHash } };
  },
});

