import { formatEther, parseEventLogs, zeroAddress, type Address } from "viem";
import { sendAndWait } from "../../chain/sendAndWait.js";
import { parseAmount } from "../parseAmount.js";
import { optionalString, parseAddressOption } from "../parseOption.js";
import { resolveGatewayDeposits } from "../resolveGatewayDeposits.js";
import { defineCommand } from "../types.js";

export interface GatewayWithdrawOptions {
  /** With an amount: request the withdrawal (it waits the contract's notice); without: complete it. */
  amount?: bigint;
  deposits?: Address;
}

export const gatewayWithdraw = defineCommand<GatewayWithdrawOptions>({
  group: "gateway",
  name: "withdraw",
  summary: "take unspent ETH credit back from the gateway: --amount requests it, then (after the notice) run without --amount to withdraw",
  usage: [
    "  --amount <eth>       request a withdrawal of this much (the gateway settles what it served first; the notice is the contract's withdrawalDelay)",
    "  (no --amount)        withdraw the requested amount once its notice has passed",
    "  --deposits <address> the GatewayDeposits contract (default: the Gateway deployment saved for this chain)",
  ].join("\n"),
  options: { amount: { type: "string" }, deposits: { type: "string" } },
  parse(values) {
    const amount = optionalString(values.amount);
    const deposits = optionalString(values.deposits);
    return {
      ...(amount ? { amount: parseAmount(amount, "--amount", 18, "ETH") } : {}),
      ...(deposits ? { deposits: parseAddressOption(deposits, "--deposits") } : {}),
    };
  },
  async run(env, options) {
    const ctx = await env.protocol();
    const { address, abi } = await resolveGatewayDeposits(env, options.deposits);
    const payer = ctx.walletClient.account.address;
    if (options.amount !== undefined) {
      const { hash, receipt } = await sendAndWait(ctx, { address, abi, functionName: "requestWithdrawal", args: [zeroAddress, options.amount] });
      const [event] = parseEventLogs({ abi, logs: receipt.logs, eventName: "WithdrawalRequested" });
      const { readyAt } = event.args as { readyAt: bigint };
      const when = new Date(Number(readyAt) * 1000).toISOString();
      return {
        text: [`Requested a withdrawal of ${formatEther(options.amount)} ETH from GatewayDeposits ${address}`, `  ready at      ${when} (then run \`gateway withdraw\` without --amount)`, `  transaction   ${hash}`].join("\n"),
        json: { deposits: address, payer, requested: options.amount, readyAt, hash },
      };
    }
    const { hash, receipt } = await sendAndWait(ctx, { address, abi, functionName: "withdraw", args: [zeroAddress] });
    const [event] = parseEventLogs({ abi, logs: receipt.logs, eventName: "Withdrawn" });
    const { amount } = event.args as { amount: bigint };
    return {
      text: [`Withdrew ${formatEther(amount)} ETH from GatewayDeposits ${address} to ${payer}`, `  transaction   ${hash}`].join("\n"),
      json: { deposits: address, payer, amount, hash },
    };
  },
});
