import type { Address, PublicClient } from "viem";
import type { ServedIngot } from "../types.js";
import { ingotReadAbi } from "./gatewayDepositsAbi.js";
import { toGatewayChainError } from "./errors.js";

export type ReadServedIngotsParameters = {
  publicClient: PublicClient;
  /** The Ingot (ERC-1155) contract. */
  ingot: Address;
};
export type ReadServedIngotsReturnType = ServedIngot[];

/**
 * The LIVE Ingots, as the gateway serves them: every minted id 1..`count()` (an Ingot exists
 * only once its Forge's result was accepted), each with its model card's base model and adapter
 * roots; the OpenAI model id is `ingot-<id>`. Throws a retryable GatewayChainError when the RPC fails.
 */
export async function readServedIngots(p: ReadServedIngotsParameters): Promise<ReadServedIngotsReturnType> {
  try {
    const count = await p.publicClient.readContract({ address: p.ingot, abi: ingotReadAbi, functionName: "count" });
    const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
    return await Promise.all(
      ids.map(async (ingotId) => {
        const info = await p.publicClient.readContract({ address: p.ingot, abi: ingotReadAbi, functionName: "info", args: [ingotId] });
        return {
          ingotId,
          model: `ingot-${ingotId}`,
          baseModelName: info.baseModelName,
          baseModelRoot: info.baseModelRoot,
          adapterRoot: info.adapterRoot,
          metadataURI: info.metadataURI,
        };
      }),
    );
  } catch (error) {
    throw toGatewayChainError("reading the LIVE Ingots", error);
  }
}
