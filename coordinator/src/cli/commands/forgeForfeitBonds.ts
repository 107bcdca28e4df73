import { formatEther, parseEventLogs, type Address } from "viem";
import { forfeitBonds } from "../../chain/forfeitBonds.js";
import { parseAddressOption, requireOption } from "../parseOption.js";
import { defineCommand } from "../types.js";

export const forgeForfeitBonds = defineCommand<{ forge: Address }>({
  group: "forge",
  name: "forfeit-bonds",
  summary: "pay the bonds of the entries the enclave excluded to the Ingot's holders (Live; anyone, once)",
  usage: "  --forge <address>   the Forge (required; it must be Live with at least one excluded entry)",
  options: { forge: { type: "string" } },
  parse: (values) => ({ forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge") }),
  async run(env, { forge }) {
    const ctx = await env.protocol();
    const { hash } = await forfeitBonds(ctx, { forge });
    const receipt = await ctx.publicClient.getTransactionReceipt({ hash });
    const [event] = parseEventLogs({ abi: ctx.abis.Forge, logs: receipt.logs, eventName: "BondsForfeited" });
    const { ingotId, amount } = event.args as { ingotId: bigint; amount: bigint };
    return {
      text: [`Forfeited ${formatEther(amount)} ETH of excluded entries' bonds to the holders of Ingot #${ingotId}`, `  transaction   ${hash}`].join("\n"),
      json: { forge, ingotId, amount, hash },
    };
  },
});
