import type { Address } from "viem";
import { formatForgeStatus } from "../../chain/formatForgeStatus.js";
import { getForgeStatus } from "../../chain/getForgeStatus.js";
import { CliError } from "../errors.js";
import { parseAddressOption, requireOption } from "../parseOption.js";
import { defineCommand } from "../types.js";

export const forgeStatus = defineCommand<{ forge: Address }>({
  group: "forge",
  name: "status",
  summary: "phase, contributions per pool, capital raised, time left",
  usage: "  --forge <address>   the Forge (required)",
  options: { forge: { type: "string" } },
  parse: (values) => ({ forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge") }),
  async run(env, { forge }) {
    const ctx = await env.protocol();
    const known = (await ctx.publicClient.readContract({ address: ctx.addresses.factory, abi: ctx.abis.ForgeFactory, functionName: "isForge", args: [forge] })) as boolean;
    if (!known) throw new CliError(`${forge} is not a Forge of this deployment's factory (${ctx.addresses.factory}). \`forge list\` shows them.`);
    const status = await getForgeStatus(ctx, forge);
    return { text: formatForgeStatus(status), json: status };
  },
});
