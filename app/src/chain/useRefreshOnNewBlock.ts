import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useChainNow } from "./useChainNow.js";

const CHAIN_READS = new Set(["readContract", "readContracts", "balance"]);

/**
 * Every contract read is cached by its query key (wagmi) and marked stale when a new block
 * lands, so every view follows the chain without each component polling on its own.
 */
export function useRefreshOnNewBlock() {
  const queryClient = useQueryClient();
  const { blockNumber } = useChainNow();
  useEffect(() => {
    if (blockNumber === undefined) return;
    void queryClient.invalidateQueries({ predicate: (q) => CHAIN_READS.has(String(q.queryKey[0])) });
  }, [blockNumber, queryClient]);
}
