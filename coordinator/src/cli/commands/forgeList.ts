import type { Address } from "viem";
import { formatDuration } from "../../chain/formatForgeStatus.js";
import { getForgeStatus } from "../../chain/getForgeStatus.js";
import { parseIntegerOption } from "../parseOption.js";
import { defineCommand } from "../types.js";

export const forgeList = defineCommand<{ limit: number }>({
  group: "forge",
  name: "list",
  summary: "every Forge of the deployment's factory, newest first, with phase and counts",
  usage: "  --limit <n>   show at most n Forges (default 50)",
  options: { limit: { type: "string" } },
  parse: (values) => ({ limit: values.limit === undefined ? 50 : Number(parseIntegerOption(String(values.limit), "--limit", { min: 1n, max: 10_000n })) }),
  async run(env, { limit }) {
    const ctx = await env.protocol();
    const read = (functionName: string, args: readonly unknown[] = []) =>
      ctx.publicClient.readContract({ address: ctx.addresses.factory, abi: ctx.abis.ForgeFactory, functionName, args });
    const count = (await read("forgeCount")) as bigint;
    const shown = count < BigInt(limit) ? count : BigInt(limit);
    const indexes = Array.from({ length: Number(shown) }, (_, i) => count - 1n - BigInt(i));
    const forges = await Promise.all(indexes.map(async (i) => (await read("forges", [i])) as Address));
    const statuses = await Promise.all(forges.map((f) => getForgeStatus(ctx, f)));
    if (count === 0n) return { text: `No Forges yet on factory ${ctx.addresses.factory}. Create one: forge create-example`, json: { factory: ctx.addresses.factory, count, forges: [] } };
    const rows = statuses.map((s, i) => {
      const left = s.secondsLeft > 0n ? formatDuration(s.secondsLeft) : "";
      return `  #${String(indexes[i]).padEnd(4)} ${s.forge}  ${s.phase.padEnd(7)} ${left.padEnd(8)} data ${s.contributions.data} · compute ${s.contributions.compute} · capital ${s.contributions.capital}${s.ingotId > 0n ? ` · Ingot #${s.ingotId}` : ""}`;
    });
    const header = `${count} Forge${count === 1n ? "" : "s"} on factory ${ctx.addresses.factory}${shown < count ? ` (newest ${shown} shown)` : ""}`;
    return {
      text: [header, ...rows].join("\n"),
      json: {
        factory: ctx.addresses.factory,
        count,
        forges: statuses.map((s, i) => ({ index: indexes[i], forge: s.forge, phase: s.phase, secondsLeft: s.secondsLeft, contributions: s.contributions, ingotId: s.ingotId })),
      },
    };
  },
});
