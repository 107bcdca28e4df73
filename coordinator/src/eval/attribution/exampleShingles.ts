import { NEAR_DUPLICATE_RULE } from "./nearDuplicateRule.js";
import type { ExampleText } from "./normalizeExampleText.js";

const TOKEN = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/**
 * The shingle set of a normalized example: every run of `k` consecutive tokens of the prompt and
 * of the response (a text shorter than `k` tokens is one shingle), each hashed to a 53-bit integer
 * with its field, returned sorted and distinct. Tokens are runs of letters, digits and `_`, and
 * every other non-space character alone, so code punctuation counts and spacing does not.
 */
export function exampleShingles(normalized: ExampleText, k: number = NEAR_DUPLICATE_RULE.shingleTokens): Float64Array {
  const out = new Set<number>();
  for (const [field, text] of [["p", normalized.prompt], ["r", normalized.response]] as const) {
    const tokens = text.match(TOKEN) ?? [];
    if (tokens.length === 0) continue;
    const last = Math.max(0, tokens.length - k);
    for (let i = 0; i <= last; i++) out.add(hash53(`${field}\u0000${tokens.slice(i, i + k).join("\u0000")}`));
  }
  return Float64Array.from(out).sort();
}

/** Two FNV-1a-style 32-bit hashes of the UTF-16 code units, finalized, as one 53-bit integer. */
function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (fmix32(b) & 0x1fffff) * 0x100000000 + fmix32(a);
}

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
