import type { ExampleFingerprint } from "./fingerprintExample.js";
import { NEAR_DUPLICATE_RULE } from "./nearDuplicateRule.js";
import { shingleJaccard } from "./shingleJaccard.js";

export interface NearDuplicateMatch<R> {
  /** The earliest indexed example the query copies. */
  ref: R;
  /** "normalized": the same text once normalized; "near": shingle Jaccard ≥ the threshold. */
  match: "normalized" | "near";
  /** Jaccard similarity of the shingle sets (1 for a normalized match). */
  similarity: number;
}

export interface NearDuplicateIndex<R> {
  /** Index an example (the order of `add` calls is the order `find` prefers). */
  add(fingerprint: ExampleFingerprint, ref: R): void;
  /** The earliest indexed example whose normalized text equals, or whose shingles are near, this one's. */
  find(fingerprint: ExampleFingerprint): NearDuplicateMatch<R> | undefined;
}

/**
 * An index of examples for copy detection: an exact map on the normalized text, and MinHash LSH
 * (the signature cut into `bands` bands; examples sharing any band are candidates), each candidate
 * confirmed by the exact Jaccard of the shingle sets against `threshold`.
 */
export function createNearDuplicateIndex<R>(params: { threshold?: number; bands?: number } = {}): NearDuplicateIndex<R> {
  const threshold = params.threshold ?? NEAR_DUPLICATE_RULE.threshold;
  const bands = params.bands ?? NEAR_DUPLICATE_RULE.bands;
  const entries: { fingerprint: ExampleFingerprint; ref: R }[] = [];
  const byKey = new Map<string, number>();
  const buckets = new Map<string, number[]>();
  const bandKeys = (signature: Uint32Array) => {
    const rows = Math.floor(signature.length / bands);
    return Array.from({ length: bands }, (_, b) => `${b}:${signature.subarray(b * rows, (b + 1) * rows).join(",")}`);
  };
  return {
    add(fingerprint, ref) {
      const at = entries.length;
      entries.push({ fingerprint, ref });
      if (!byKey.has(fingerprint.normalizedKey)) byKey.set(fingerprint.normalizedKey, at);
      for (const key of bandKeys(fingerprint.signature)) {
        const bucket = buckets.get(key);
        if (bucket) bucket.push(at);
        else buckets.set(key, [at]);
      }
    },
    find(fingerprint) {
      const same = byKey.get(fingerprint.normalizedKey);
      if (same !== undefined) return { ref: entries[same].ref, match: "normalized", similarity: 1 };
      const candidates = new Set<number>();
      for (const key of bandKeys(fingerprint.signature)) for (const at of buckets.get(key) ?? []) candidates.add(at);
      for (const at of [...candidates].sort((a, b) => a - b)) {
        const similarity = shingleJaccard(entries[at].fingerprint.shingles, fingerprint.shingles);
        if (similarity >= threshold) return { ref: entries[at].ref, match: "near", similarity };
      }
      return undefined;
    },
  };
}
