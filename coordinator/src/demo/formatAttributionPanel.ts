import { formatEther } from "viem";

export interface AttributionPanelRow {
  who: string;
  kind: "data" | "compute" | "capital" | "creator" | "lineage";
  detail: string;
  /** Marginal Δ of the holdout metric, nats per response token (data only). */
  delta?: number;
  deltaStdError?: number;
  shares: bigint;
  supply: bigint;
  paidWei: bigint;
  note?: string;
}

/** The "Live attribution: marginal Δ per contribution" panel, as a terminal table. */
export function formatAttributionPanel(title: string, rows: AttributionPanelRow[]): string {
  const header = ["contribution", "pool", "what", "marginal Δ (nats/tok)", "shares", "paid (ETH)", "note"];
  const body = rows.map((r) => [
    r.who,
    r.kind,
    r.detail,
    r.delta === undefined ? "" : `${r.delta >= 0 ? "+" : ""}${r.delta.toFixed(4)}${r.deltaStdError ? ` ± ${r.deltaStdError.toFixed(4)}` : ""}`,
    `${((Number(r.shares) / Number(r.supply)) * 100).toFixed(2)}%`,
    trimEther(r.paidWei),
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [`Live attribution: marginal Δ per contribution — ${title}`, rule, line(header), rule, ...body.map(line), rule].join("\n");
}

function trimEther(wei: bigint): string {
  const s = formatEther(wei);
  const [i, f = ""] = s.split(".");
  return f ? `${i}.${f.slice(0, 6).padEnd(6, "0")}` : `${i}.000000`;
}
