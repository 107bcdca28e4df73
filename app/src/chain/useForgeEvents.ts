import { useQuery } from "@tanstack/react-query";
import { usePublicClient } from "wagmi";
import type { Address } from "viem";
import { forgeAbi } from "../abi/protocolAbis.generated.js";
import { useAppConfig } from "../config/AppConfigContext.js";

/** The Forge's events from the deployment block on, newest first, re-read on every new block. */
export function useForgeEvents(forge: Address, blockNumber: bigint | undefined) {
  const client = usePublicClient();
  const { fromBlock } = useAppConfig();
  return useQuery({
    queryKey: ["forge-events", forge, String(blockNumber)],
    enabled: client !== undefined && blockNumber !== undefined,
    placeholderData: (previous) => previous,
    queryFn: async () => {
      const logs = await client!.getContractEvents({ address: forge, abi: forgeAbi, fromBlock, toBlock: blockNumber });
      return [...logs].sort((a, b) => (a.blockNumber === b.blockNumber ? (b.logIndex ?? 0) - (a.logIndex ?? 0) : Number((b.blockNumber ?? 0n) - (a.blockNumber ?? 0n))));
    },
  });
}

export type ForgeEvent = NonNullable<ReturnType<typeof useForgeEvents>["data"]>[number];
