/**
 * The near-duplicate rule, fixed for every eval (a change is a new version, and changes the eval's
 * inputs hash through the examples it keeps):
 *
 * - text: prompt and response normalized apart (`normalizeExampleText`: NFKC, invisible format
 *   characters removed, case-folded, whitespace runs collapsed to one space, trimmed);
 * - tokens: runs of letters, digits and `_`, and every other non-space character on its own;
 * - shingles: every `shingleTokens` consecutive tokens, within the prompt or within the response
 *   (tagged with the field, so a prompt shingle never meets a response shingle);
 * - near copy: Jaccard similarity of the two shingle sets ≥ `threshold`. MinHash signatures
 *   (`hashes` seeded hash functions) in `bands` LSH bands pick the candidates; each candidate's
 *   Jaccard is then computed exactly from its shingle sets, so the decision carries no sampling
 *   noise. A pair at Jaccard ≥ 0.8 shares a band with probability 1 − (1 − 0.8⁴)³² > 1 − 10⁻⁷.
 */
export const NEAR_DUPLICATE_RULE = {
  version: "ingotforge-near-duplicate/1",
  threshold: 0.8,
  shingleTokens: 3,
  hashes: 128,
  bands: 32,
  seed: "ingotforge/near-duplicate/v1",
} as const;

export type NearDuplicateRule = typeof NEAR_DUPLICATE_RULE;
