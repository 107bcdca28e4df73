import { ContributionIdError } from "./errors.js";

export interface ContributionExamples {
  /** Contribution id (on-chain), unique. */
  id: string;
  /** Content hash of each example, in the contribution's order. */
  exampleHashes: readonly string[];
}

export interface DedupedContribution {
  id: string;
  /** Hashes this contribution is the first to bring, in its order. */
  keptHashes: string[];
  /** Examples dropped: seen in an earlier contribution (or earlier in this one). */
  duplicates: { hash: string; firstSeenIn: string }[];
  /** Nothing new: a player with value 0 by definition, skipped by the estimators. */
  empty: boolean;
}

export interface DedupeContributionsReturnType {
  contributions: DedupedContribution[];
  /** Ids of the non-empty contributions, in order: player index i is `players[i]`. */
  players: string[];
}

/**
 * Duplicate content earns once: contributions are taken in on-chain order and an example already
 * brought by an earlier contribution is dropped from later ones. A partial duplicate keeps only its
 * new examples; a full duplicate is left empty and gets value 0 without being a player. (Dropping a
 * player that adds nothing changes no other player's Shapley or Banzhaf value: it is a null player.)
 */
export function dedupeContributions(contributions: readonly ContributionExamples[]): DedupeContributionsReturnType {
  const firstSeen = new Map<string, string>();
  const ids = new Set<string>();
  const out: DedupedContribution[] = [];
  for (const c of contributions) {
    if (typeof c.id !== "string" || c.id.length === 0) throw new ContributionIdError("every contribution needs a non-empty id");
    if (ids.has(c.id)) throw new ContributionIdError(`contribution id ${c.id} appears twice; ids must be unique`);
    ids.add(c.id);
    const keptHashes: string[] = [];
    const duplicates: DedupedContribution["duplicates"] = [];
    for (const hash of c.exampleHashes) {
      const earlier = firstSeen.get(hash);
      if (earlier !== undefined) duplicates.push({ hash, firstSeenIn: earlier });
      else {
        firstSeen.set(hash, c.id);
        keptHashes.push(hash);
      }
    }
    out.push({ id: c.id, keptHashes, duplicates, empty: keptHashes.length === 0 });
  }
  return { contributions: out, players: out.filter((c) => !c.empty).map((c) => c.id) };
}
