import { formatEther, zeroAddress, type Address } from "viem";
import { sendAndWait } from "../../chain/sendAndWait.js";
import { parseAmount } from "../parseAmount.js";
import { optionalString, parseAddressOption, requireOption } from "../parseOption.js";
import { resolveGatewayDeposits } from "../resolveGatewayDeposits.js";
import { defineCommand } from "../types.js";

export interface GatewayDepositOptions {
  amount: bigint;
  payer?: Address;
  deposits?: Address;
}

export const gatewayDeposit = defineCommand<GatewayDepositOptions>({
  group: "gateway",
  name: "deposit",
  summary: "prepay the inference gateway in ETH (GatewayDeposits): its API keys spend this credit",
  usage: [
    "  --amount <eth>       how much to deposit, e.g. 0.01 (required)",
    "  --payer <address>    whose credit it becomes (default: the sending account)",
    "  --deposits <address> the GatewayDeposits contract (default: the Gateway deployment saved for this chain)",
  ].join("\n"),
  options: { amount: { type: "string" }, payer: { type: "string" }, deposits: { type: "string" } },
  parse(values) {
    const payer = optionalString(values.payer);
    const deposits = optionalString(values.deposits);
    return {
      amount: parseAmount(requireOption(values.amount, "--amount"), "--amount", 18, "ETH"),
      ...(payer ? { payer: parseAddressOption(payer, "--payer") } : {}),
      ...(deposits ? { deposits: parseAddressOption(deposits, "--deposits") } : {}),
    };
  },
  async run(env, options) {
    const ctx = await env.protocol();
    const { address, abi } = await resolveGatewayDeposits(env, options.deposits);
    const payer = options.payer ?? ctx.walletClient.account.address;
    const { hash } = await sendAndWait(ctx, { address, abi, functionName: "deposit", args: [payer], value: options.amount });
    const balance = (await ctx.publicClient.readContract({ address, abi, functionName: "balanceOf", args: [payer, zeroAddress] })) as bigint;
    return {
      text: [`Deposited ${formatEther(options.amount)} ETH for ${payer} in GatewayDeposits ${address}`, `  credit        ${formatEther(balance)} ETH`, `  transaction   ${hash}`].join("\n"),
      json: { deposits: address, payer, amount: options.amount, balance, hash },
    };
  },
});
