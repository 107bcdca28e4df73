import type { ScoreVectorEntry } from "../eval/attribution/buildScoreVector.js";
import { describeDuplicates } from "../eval/attribution/describeDuplicates.js";

export interface AttributionPanelNoteParameters {
  contribution: { status: "included" | "excluded"; reason?: string; exampleCount: number };
  /** Its score-vector entry (absent when excluded before attribution). */
  entry?: Pick<ScoreVectorEntry, "status" | "duplicates">;
  /** Its marginal value. */
  value: number;
  /** Contribution id (the data id) → the name the panel shows. */
  name?: (contributionId: string) => string;
}

/**
 * The note column of a data row in the attribution panel: why it was excluded, which of its
 * examples are copies and of what (`duplicate-of alice:0, …`), or that it has no positive value.
 */
export function attributionPanelNote(p: AttributionPanelNoteParameters): string {
  if (p.contribution.status === "excluded") return `excluded: ${p.contribution.reason ?? "no reason recorded"}`;
  const copies = describeDuplicates(p.entry?.duplicates, p.contribution.exampleCount, p.name ? { name: p.name } : {});
  const noValue = p.entry?.status !== "duplicate" && p.value <= 0 ? "no positive value: no shares" : "";
  return [copies, noValue].filter(Boolean).join("; ");
}
