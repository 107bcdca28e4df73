import { formatUnits, type Address } from "viem";
import { optionalString, parseAddressOption, parseIntegerOption, requireOption } from "../parseOption.js";
import { CliError } from "../errors.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { defineCommand } from "../types.js";

export interface IngotShowOptions {
  ingotId: bigint;
  holder?: Address;
}

export const ingotShow = defineCommand<IngotShowOptions>({
  group: "ingot",
  name: "show",
  summary: "an Ingot's model card, its share supply, and one holder's balance and claimable revenue",
  usage: ["  --ingot <id>         the Ingot (required)", "  --holder <address>   whose balance to show (default: the sending account; holders are not enumerable)"].join("\n"),
  options: { ingot: { type: "string" }, holder: { type: "string" } },
  parse: (values) => ({
    ingotId: parseIntegerOption(requireOption(values.ingot, "--ingot"), "--ingot", { min: 1n }),
    holder: optionalString(values.holder) ? parseAddressOption(String(values.holder), "--holder") : undefined,
  }),
  async run(env, { ingotId, holder: holderOption }) {
    const ctx = await env.protocol();
    const ingot = { address: ctx.addresses.ingot, abi: ctx.abis.Ingot } as const;
    const splitter = { address: ctx.addresses.splitter, abi: ctx.abis.RevenueSplitter } as const;
    const count = (await ctx.publicClient.readContract({ ...ingot, functionName: "count" })) as bigint;
    if (ingotId > count) throw new CliError(`Ingot #${ingotId} does not exist (${count} minted so far). An Ingot is minted when its Forge's result is accepted.`);
    const holder = holderOption ?? ctx.walletClient.account.address;
    const [uri, supply, balance, assets] = await Promise.all([
      ctx.publicClient.readContract({ ...ingot, functionName: "uri", args: [ingotId] }) as Promise<string>,
      ctx.publicClient.readContract({ ...ingot, functionName: "SHARE_SUPPLY" }) as Promise<bigint>,
      ctx.publicClient.readContract({ ...ingot, functionName: "balanceOf", args: [holder, ingotId] }) as Promise<bigint>,
      ctx.publicClient.readContract({ ...splitter, functionName: "assetsOf", args: [ingotId] }) as Promise<Address[]>,
    ]);
    const card = decodeModelCard(uri);
    // The card's description is the Forge's metadata URI; show its title and text when inline.
    const forgeMeta = typeof card.description === "string" ? readInlineJson(card.description) : undefined;
    const claimable = await Promise.all(
      assets.map(async (asset) => {
        const amount = (await ctx.publicClient.readContract({ ...splitter, functionName: "claimable", args: [ingotId, asset, holder] })) as bigint;
        return { asset, amount, text: (await readAssetUnits(ctx.publicClient, asset)).format(amount) };
      }),
    );
    const percent = supply > 0n ? `${formatUnits((balance * 10n ** 6n) / supply, 4)}%` : "0%";
    const lines = [`Ingot #${ingotId}  ${typeof forgeMeta?.title === "string" ? forgeMeta.title : card.name !== `Ingot #${ingotId}` ? (card.name ?? "") : ""}`.trimEnd()];
    const description = typeof forgeMeta?.description === "string" ? forgeMeta.description : card.description;
    if (description) lines.push(`  ${description}`);
    for (const [key, value] of Object.entries(card.properties ?? {})) lines.push(`  ${key.padEnd(20)} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
    lines.push(`  ${"share supply".padEnd(20)} ${supply}`);
    lines.push(`  ${"holder".padEnd(20)} ${holder}: ${balance} shares (${percent})`);
    lines.push(`  ${"claimable".padEnd(20)} ${claimable.length ? claimable.map((c) => c.text).join(", ") : "nothing paid yet"}`);
    return { text: lines.join("\n"), json: { ingotId, modelCard: card, uri, supply, holder, balance, claimable: claimable.map(({ asset, amount }) => ({ asset, amount })) } };
  },
});

type ModelCard = { name?: string; description?: string; properties?: Record<string, unknown> } & Record<string, unknown>;

/** The model card inside `uri` (IIngot: `data:application/json;base64,...`). */
function decodeModelCard(uri: string): ModelCard {
  const base64 = "data:application/json;base64,";
  const plain = "data:application/json,";
  try {
    if (uri.startsWith(base64)) return JSON.parse(Buffer.from(uri.slice(base64.length), "base64").toString("utf8")) as ModelCard;
    if (uri.startsWith(plain)) return JSON.parse(decodeURIComponent(uri.slice(plain.length))) as ModelCard;
  } catch (cause) {
    throw new CliError(`The Ingot's uri is not valid JSON metadata; report this with the uri: ${uri.slice(0, 80)}…`, { cause });
  }
  return { name: "(model card at an external uri)", properties: { uri } };
}

function readInlineJson(uri: string): Record<string, unknown> | undefined {
  const prefix = "data:application/json,";
  if (!uri.startsWith(prefix)) return undefined;
  try {
    return JSON.parse(decodeURIComponent(uri.slice(prefix.length))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
