import { parseEventLogs, type Address } from "viem";
import { sendAndWait } from "../../chain/sendAndWait.js";
import { parseAddressOption, requireOption } from "../parseOption.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { defineCommand } from "../types.js";

export const forgeReleaseCapital = defineCommand<{ forge: Address }>({
  group: "forge",
  name: "release-capital",
  summary: "pay a LIVE Forge's escrow into the RevenueSplitter as its Ingot's first revenue (anyone, once)",
  usage: "  --forge <address>   the Forge (required; it must be Live)",
  options: { forge: { type: "string" } },
  parse: (values) => ({ forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge") }),
  async run(env, { forge }) {
    const ctx = await env.protocol();
    const { hash, receipt } = await sendAndWait(ctx, { address: forge, abi: ctx.abis.Forge, functionName: "releaseCapital" });
    const [event] = parseEventLogs({ abi: ctx.abis.Forge, logs: receipt.logs, eventName: "CapitalReleased" });
    const { ingotId, asset, amount } = event.args as { ingotId: bigint; asset: Address; amount: bigint };
    const units = await readAssetUnits(ctx.publicClient, asset);
    return {
      text: [`Released ${units.format(amount)} from ${forge} to the holders of Ingot #${ingotId}`, `  transaction   ${hash}`].join("\n"),
      json: { forge, ingotId, asset, amount, hash },
    };
  },
});
