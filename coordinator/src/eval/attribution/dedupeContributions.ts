import { createNearDuplicateIndex } from "./createNearDuplicateIndex.js";
import { ContributionIdError, ExampleTextsError } from "./errors.js";
import { fingerprintExample } from "./fingerprintExample.js";
import type { ExampleText } from "./normalizeExampleText.js";

export interface ContributionExamples {
  /** Contribution id (on-chain), unique. */
  id: string;
  /** Content hash of each example, in the contribution's order. */
  exampleHashes: readonly string[];
  /**
   * Prompt and response of each example, in the same order as `exampleHashes`. With them, copies
   * that differ in whitespace, case or Unicode form, or by small edits, are recognised too
   * (`NEAR_DUPLICATE_RULE`); without them only byte-identical examples (equal hashes) are.
   */
  exampleTexts?: readonly ExampleText[];
}

/** Where a dropped example's value went: the kept example it copies. */
export interface DuplicateExample {
  /** The dropped example's index in its contribution. */
  index: number;
  hash: string;
  /** The contribution that first brought this content (= `of.id`). */
  firstSeenIn: string;
  /** The kept example it copies: its contribution and its index there. */
  of: { id: string; index: number };
  /** "exact": same bytes; "normalized": same text once normalized; "near": shingle Jaccard ≥ the threshold. */
  match: "exact" | "normalized" | "near";
  /** Jaccard similarity of the shingle sets (1 for exact and normalized copies). */
  similarity: number;
}

export interface DedupedContribution {
  id: string;
  /** Hashes this contribution is the first to bring, in its order. */
  keptHashes: string[];
  /** Indices (in the contribution) of the kept examples, parallel to `keptHashes`. */
  keptIndices: number[];
  /** Examples dropped: copies of an example kept earlier (in an earlier contribution, or earlier in this one). */
  duplicates: DuplicateExample[];
  /** Nothing new: a player with value 0 by definition, skipped by the estimators. */
  empty: boolean;
}

export interface DedupeContributionsReturnType {
  contributions: DedupedContribution[];
  /** Ids of the non-empty contributions, in order: player index i is `players[i]`. */
  players: string[];
}

/**
 * Copies earn nothing: contributions are taken in on-chain order, and an example is dropped when
 * it copies an example kept before it (earlier in on-chain order, or earlier in the same
 * contribution): the same bytes, the same normalized text, or (texts given) shingle Jaccard ≥ the
 * near-duplicate threshold (`NEAR_DUPLICATE_RULE`). Each cluster's value thus goes to its first
 * member; a dropped example points at the earliest kept example it copies. A partial duplicate
 * keeps only its new examples; a full duplicate is left empty and gets value 0 without being a
 * player. (Dropping a player that adds nothing changes no other player's Shapley or Banzhaf
 * value: it is a null player.)
 */
export function dedupeContributions(contributions: readonly ContributionExamples[]): DedupeContributionsReturnType {
  type Ref = { id: string; index: number };
  const byHash = new Map<string, Ref>();
  const index = createNearDuplicateIndex<Ref>();
  const ids = new Set<string>();
  const out: DedupedContribution[] = [];
  for (const c of contributions) {
    if (typeof c.id !== "string" || c.id.length === 0) throw new ContributionIdError("every contribution needs a non-empty id");
    if (ids.has(c.id)) throw new ContributionIdError(`contribution id ${c.id} appears twice; ids must be unique`);
    ids.add(c.id);
    if (c.exampleTexts !== undefined && c.exampleTexts.length !== c.exampleHashes.length) {
      throw new ExampleTextsError(
        `contribution ${c.id} has ${c.exampleHashes.length} example hashes but ${c.exampleTexts.length} example texts; pass one text per hash, in the same order`,
      );
    }
    const keptHashes: string[] = [];
    const keptIndices: number[] = [];
    const duplicates: DuplicateExample[] = [];
    c.exampleHashes.forEach((hash, i) => {
      const drop = (of: Ref, match: DuplicateExample["match"], similarity: number) =>
        duplicates.push({ index: i, hash, firstSeenIn: of.id, of, match, similarity });
      const same = byHash.get(hash);
      if (same !== undefined) return drop(same, "exact", 1);
      const text = c.exampleTexts?.[i];
      const fingerprint = text === undefined ? undefined : fingerprintExample(text);
      const near = fingerprint === undefined ? undefined : index.find(fingerprint);
      if (near !== undefined) {
        byHash.set(hash, near.ref);
        return drop(near.ref, near.match, near.similarity);
      }
      const ref = { id: c.id, index: i };
      byHash.set(hash, ref);
      if (fingerprint !== undefined) index.add(fingerprint, ref);
      keptHashes.push(hash);
      keptIndices.push(i);
    });
    out.push({ id: c.id, keptHashes, keptIndices, duplicates, empty: keptHashes.length === 0 });
  }
  return { contributions: out, players: out.filter((c) => !c.empty).map((c) => c.id) };
}
