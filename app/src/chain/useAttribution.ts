import { useQuery } from "@tanstack/react-query";
import { usePublicClient, useReadContract } from "wagmi";
import { zeroAddress } from "viem";
import { ingotAbi, revenueSplitterAbi } from "../abi/protocolAbis.generated.js";
import { useChainNow } from "./useChainNow.js";
import { useAppConfig } from "../config/AppConfigContext.js";
import { parseAttributionRecord, type AttributionRecord } from "../model/attributionRecord.js";
import { buildAttributionRows, type AttributionRow } from "../model/buildAttributionRows.js";
import type { ForgeView } from "./useForge.js";
import type { ForgeEvent } from "./useForgeEvents.js";

export type AttributionState =
  | { state: "before"; verified: false }
  | { state: "loading"; verified: false }
  | { state: "error"; verified: false; message: string }
  | { state: "ready"; verified: boolean; record: AttributionRecord; rows: AttributionRow[]; root: `0x${string}`; excluded: number; paidNetEth: bigint };

/**
 * The attribution of a LIVE Forge: its record's root read from the Ingot on chain, the record
 * fetched from the content store and re-hashed in the browser against that root (a store that
 * hands back other bytes is refused), then the rows with the data pool's shares from the
 * Forge's SharesAllocated event.
 */
export function useAttribution(view: ForgeView | undefined, events: readonly ForgeEvent[] | undefined): AttributionState {
  const { addresses, store, fromBlock } = useAppConfig();
  const client = usePublicClient();
  const { blockNumber } = useChainNow();
  const live = view?.phase === "LIVE" && view.ingotId > 0n;
  const info = useReadContract({ address: addresses.ingot, abi: ingotAbi, functionName: "info", args: [view?.ingotId ?? 0n], query: { enabled: live } });
  const root = info.data?.attributionLogRoot;
  const record = useQuery({
    queryKey: ["attribution-record", root],
    enabled: live && root !== undefined,
    staleTime: Infinity,
    queryFn: async () => parseAttributionRecord(await store.get(root!)),
  });
  const paid = useQuery({
    queryKey: ["ingot-paid-eth", String(view?.ingotId), String(blockNumber)],
    enabled: live && client !== undefined && blockNumber !== undefined,
    placeholderData: (p) => p,
    queryFn: async () => {
      const logs = await client!.getContractEvents({ address: addresses.splitter, abi: revenueSplitterAbi, eventName: "Paid", args: { ingotId: view!.ingotId, asset: zeroAddress }, fromBlock });
      return logs.reduce((a, l) => a + (l.args.amount ?? 0n) - (l.args.royalty ?? 0n), 0n);
    },
  });
  if (!live) return { state: "before", verified: false };
  if (info.error) return { state: "error", verified: false, message: info.error.message };
  if (record.error) return { state: "error", verified: false, message: record.error.message };
  if (!record.data || !root) return { state: "loading", verified: false };
  const allocated = events?.find((e) => e.eventName === "SharesAllocated");
  const dataPool = allocated && allocated.eventName === "SharesAllocated" ? allocated.args.shares?.data ?? 0n : 0n;
  const rows = buildAttributionRows(record.data, dataPool);
  const excluded = record.data.contributions.filter((c) => c.status === "excluded").length;
  return { state: "ready", verified: excluded === 0, record: record.data, rows, root, excluded, paidNetEth: paid.data ?? 0n };
}
