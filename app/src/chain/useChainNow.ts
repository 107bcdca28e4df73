import { useQuery } from "@tanstack/react-query";
import { usePublicClient } from "wagmi";

/** How often the page asks the chain for its latest block (ms). */
export const BLOCK_POLL_MS = 2_000;

/**
 * The latest block (number and chain time), polled: every view keyed on the number refreshes
 * when a block lands. One query shared by every component (same key), so one request per poll.
 */
export function useChainNow() {
  const client = usePublicClient();
  const block = useQuery({
    queryKey: ["chain-now", client?.chain?.id],
    enabled: client !== undefined,
    refetchInterval: BLOCK_POLL_MS,
    retry: 1,
    queryFn: () => client!.getBlock(),
  });
  return { blockNumber: block.data?.number ?? undefined, now: block.data?.timestamp, error: block.error };
}
