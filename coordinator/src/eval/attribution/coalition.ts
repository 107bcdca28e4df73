import { InvalidCoalitionError, UtilityValueError } from "./errors.js";
import type { Utility } from "./types.js";

/** Canonical key of a coalition: ascending indices joined by commas ("" for ∅). */
export function coalitionKey(members: readonly number[]): string {
  return [...members].sort((a, b) => a - b).join(",");
}

/** Throws unless `members` are distinct integers in 0..players-1. */
export function checkCoalition(members: readonly number[], players: number): void {
  const seen = new Set<number>();
  for (const m of members) {
    if (!Number.isInteger(m) || m < 0 || m >= players) throw new InvalidCoalitionError(members, players, `${m} is not a player index`);
    if (seen.has(m)) throw new InvalidCoalitionError(members, players, `${m} appears twice`);
    seen.add(m);
  }
}

/** Players of a bitmask, ascending. */
export function maskMembers(mask: number, players: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < players; i++) if (mask & (1 << i)) out.push(i);
  return out;
}

/**
 * Per-run memo over a utility: each distinct coalition is evaluated once, in call order, with
 * abort and progress checks between evaluations, and results checked to be finite.
 */
export function createEvaluator(params: {
  players: number;
  utility: Utility;
  plannedEvaluations: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}) {
  const memo = new Map<string, number>();
  return {
    async value(members: readonly number[]): Promise<number> {
      const key = coalitionKey(members);
      const known = memo.get(key);
      if (known !== undefined) return known;
      checkCoalition(members, params.players);
      params.signal?.throwIfAborted();
      const sorted = key === "" ? [] : key.split(",").map(Number);
      const v = await params.utility(sorted);
      if (typeof v !== "number" || !Number.isFinite(v)) throw new UtilityValueError(sorted, v);
      memo.set(key, v);
      params.onProgress?.(memo.size, Math.max(memo.size, params.plannedEvaluations));
      return v;
    },
    get evaluations() {
      return memo.size;
    },
  };
}
