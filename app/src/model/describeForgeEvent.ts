import { formatAmount } from "../format/formatAmount.js";
import { shortAddress } from "../format/shortAddress.js";

/** A Forge event as one line for the activity list ("Data #2 contributed by 0x70…79C8"). */
export function describeForgeEvent(eventName: string | undefined, args: Record<string, unknown>, symbol = "ETH", decimals = 18): string {
  const who = (k: string) => shortAddress(String(args[k]));
  const amount = (k: string) => formatAmount(BigInt(args[k] as bigint), { symbol, decimals });
  switch (eventName) {
    case "DataContributed":
      return `Data #${args.dataId} contributed by ${who("contributor")}: ${args.exampleCount} examples, ${args.sizeBytes} bytes`;
    case "ComputeRegistered":
      return `Worker #${args.computeId} registered by ${who("worker")} (signer ${who("signer")}, capacity ${args.capacity})`;
    case "CapitalContributed":
      return `${amount("credited")} escrowed by ${who("contributor")} (position ${amount("position")})`;
    case "CapitalRefunded":
      return `${amount("amount")} refunded to ${who("contributor")}`;
    case "CapitalReleased":
      return `${amount("amount")} of escrow paid to Ingot #${args.ingotId}'s holders`;
    case "ResultAccepted":
      return `Eval result accepted from enclave ${who("signer")}; Ingot #${args.ingotId} minted`;
    case "SharesAllocated":
      return `Shares allocated for Ingot #${args.ingotId}`;
    case "SharesEscrowed":
      return `Shares of Ingot #${args.ingotId} escrowed for claims (${args.leafCount} holders)`;
    case "SharesClaimed":
      return `${who("account")} claimed its shares of Ingot #${args.ingotId}`;
    case "Initialized":
      return "Forge created by the factory and its configuration fixed";
    default:
      return eventName ?? "unknown event";
  }
}
