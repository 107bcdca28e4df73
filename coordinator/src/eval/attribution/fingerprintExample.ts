import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex } from "@noble/hashes/utils";
import { exampleShingles } from "./exampleShingles.js";
import { minHashSignature } from "./minHashSignature.js";
import { NEAR_DUPLICATE_RULE } from "./nearDuplicateRule.js";
import { normalizeExampleText, type ExampleText } from "./normalizeExampleText.js";

/** What the copy detection keeps of an example's text. */
export interface ExampleFingerprint {
  /** sha256 of the normalized prompt and response: equal for copies that differ only in whitespace, case or Unicode form. */
  normalizedKey: string;
  /** Sorted distinct shingle hashes (`exampleShingles`). */
  shingles: Float64Array;
  /** MinHash signature of the shingles (`minHashSignature`), for the LSH bands. */
  signature: Uint32Array;
}

/** Normalize an example, shingle it and sign it under `NEAR_DUPLICATE_RULE`. */
export function fingerprintExample(example: ExampleText): ExampleFingerprint {
  const normalized = normalizeExampleText(example);
  const shingles = exampleShingles(normalized, NEAR_DUPLICATE_RULE.shingleTokens);
  return {
    normalizedKey: bytesToHex(sha256(new TextEncoder().encode(JSON.stringify([normalized.prompt, normalized.response])))),
    shingles,
    signature: minHashSignature(shingles, { hashes: NEAR_DUPLICATE_RULE.hashes, seed: NEAR_DUPLICATE_RULE.seed }),
  };
}
