import { useQuery } from "@tanstack/react-query";
import { useReadContract } from "wagmi";
import { ingotAbi } from "../abi/protocolAbis.generated.js";
import { useAppConfig } from "../config/AppConfigContext.js";
import { parseAttributionRecord, type AttributionRecord } from "../model/attributionRecord.js";
import { buildAttributionRows, type AttributionRow } from "../model/buildAttributionRows.js";
import type { ForgeView } from "./useForge.js";
import type { ForgeEvent } from "./useForgeEvents.js";

export type AttributionState =
  | { state: "before"; verified: false }
  | { state: "loading"; verified: false }
  | { state: "error"; verified: false; message: string }
  | { state: "ready"; verified: boolean; record: AttributionRecord; rows: AttributionRow[]; root: `0x${string}`; excluded: number };

/**
 * The attribution of a LIVE Forge: its record's root read from the Ingot on chain, the record
 * fetched from the content store and re-hashed in the browser against that root (a store that
 * hands back other bytes is refused), then the rows with the data pool's shares from the
 * Forge's SharesAllocated event.
 */
export function useAttribution(view: ForgeView | undefined, events: readonly ForgeEvent[] | undefined): AttributionState {
  const { addresses, store } = useAppConfig();
  const live = view?.phase === "LIVE" && view.ingotId > 0n;
  const info = useReadContract({ address: addresses.ingot, abi: ingotAbi, functionName: "info", args: [view?.ingotId ?? 0n], query: { enabled: live } });
  const root = info.data?.attributionLogRoot;
  const record = useQuery({
    queryKey: ["attribution-record", root],
    enabled: live && root !== undefined,
    staleTime: Infinity,
    queryFn: async () => parseAttributionRecord(await store.get(root!)),
  });
  if (!live) return { state: "before", verified: false };
  if (info.error) return { state: "error", verified: false, message: info.error.message };
  if (record.error) return { state: "error", verified: false, message: record.error.message };
  if (!record.data || !root) return { state: "loading", verified: false };
  const allocated = events?.find((e) => e.eventName === "SharesAllocated");
  const dataPool = allocated && allocated.eventName === "SharesAllocated" ? allocated.args.shares?.data ?? 0n : 0n;
  const rows = buildAttributionRows(record.data, dataPool);
  const excluded = record.data.contributions.filter((c) => c.status === "excluded").length;
  return { state: "ready", verified: excluded === 0, record: record.data, rows, root, excluded };
}
