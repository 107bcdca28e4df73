import { useBlock } from "wagmi";

/** The latest block (number and chain time), watched: every view refreshes when it changes. */
export function useChainNow() {
  const block = useBlock({ watch: true });
  return { blockNumber: block.data?.number, now: block.data?.timestamp, error: block.error };
}
