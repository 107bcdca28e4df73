import type { PriceBook } from "../server/types.js";
import type { GatewayConfig } from "./gatewayConfigSchema.js";

/** Price per token from config: the Ingot's override when set, else the default; one asset for all. */
export function createPriceBook(billing: GatewayConfig["billing"]): PriceBook {
  const overrides = new Map(Object.entries(billing.ingotPricesWei).map(([id, price]) => [BigInt(id), price]));
  return {
    asset: billing.asset,
    priceOf: (ingot) => ({ asset: billing.asset, pricePerToken: overrides.get(ingot.ingotId) ?? billing.defaultPricePerTokenWei }),
  };
}
