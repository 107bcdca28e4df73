import { readFile, rm } from "node:fs/promises";
import type { Logger } from "pino";
import { isHex, type Hex } from "viem";
import type { ContentStore } from "../storage/types.js";

export interface DiscardInRunFeaturesParameters {
  /** The Forge's journal (recordInRunFeatures); missing: nothing to do. */
  file: string;
  store: ContentStore;
  logger?: Pick<Logger, "info" | "warn">;
}

export interface DiscardInRunFeaturesReturnType {
  /** Envelopes removed from the store. */
  removed: number;
  /** Envelopes journaled but not in the store any more (removed before a crash, say). */
  missing: number;
  /** Envelopes left in place because the store cannot delete (0G storage is append-only). */
  kept: number;
}

/**
 * Remove a Forge's sealed in-run features (about 13 MB per job on the demo base) from the local
 * store once nothing needs them: call it after the Forge's result is submitted (or found accepted).
 * Until then a restarted coordinator re-runs the eval from the workers' answers, which name these
 * envelopes; replay never reads them (it recomputes the features). Only envelopes the
 * coordinator's own clients opened with their result key are journaled, so a worker cannot get
 * another blob removed by naming its root. With a store that cannot delete (0G) they are kept and
 * that is logged. The journal is removed afterwards; running it again does nothing.
 */
export async function discardInRunFeatures(params: DiscardInRunFeaturesParameters): Promise<DiscardInRunFeaturesReturnType> {
  let text: string;
  try {
    text = await readFile(params.file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return { removed: 0, missing: 0, kept: 0 };
    throw error;
  }
  const roots = new Set<Hex>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const root = (JSON.parse(line) as { featuresRoot?: unknown }).featuresRoot;
      if (typeof root === "string" && isHex(root) && root.length === 66) roots.add(root.toLowerCase() as Hex);
    } catch {
      // A line cut short by a crash while it was appended: its envelope was fetched again later, or is left.
    }
  }
  const result = { removed: 0, missing: 0, kept: 0 };
  if (!params.store.delete) {
    result.kept = roots.size;
    if (roots.size > 0) params.logger?.info({ envelopes: roots.size, store: params.store.kind }, "the sealed in-run features stay in the store: it cannot delete (0G storage is append-only)");
  } else {
    for (const root of roots) {
      if (await params.store.delete(root)) result.removed += 1;
      else result.missing += 1;
    }
    if (roots.size > 0) params.logger?.info({ removed: result.removed, missing: result.missing }, "sealed in-run features removed from the local store (the result is submitted; replay recomputes them)");
  }
  await rm(params.file, { force: true });
  return result;
}
