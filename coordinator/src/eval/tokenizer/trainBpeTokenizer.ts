import type { BpeTokenizerSpec } from "../model/types.js";
import { byteToUnicode, toByteLevel } from "./byteToUnicode.js";
import { TokenizerError } from "./errors.js";
import { preTokenizeQwen2 } from "./preTokenizeQwen2.js";

export interface TrainBpeTokenizerParameters {
  /** Training text (documents are pre-tokenized separately, so no merge spans two documents). */
  corpus: string | readonly string[];
  /** Total vocabulary: 256 byte tokens + learned merges + the 3 special tokens (+ padding). */
  vocabSize: number;
  /**
   * When the corpus runs out of pairs before `vocabSize`, fill the rest with unused control
   * tokens `<|extra_N|>` instead of throwing (for shape-only models such as a 150k-vocabulary
   * speed benchmark).
   */
  padToVocabSize?: boolean;
}

export const SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/**
 * Train a byte-level BPE vocabulary, deterministically: each step merges the most frequent
 * adjacent pair over the pre-tokenized (qwen2 split) corpus; ties go to the pair whose
 * "left right" text sorts first by UTF-16 code units. Ids: 0–255 the byte tokens in byte order,
 * then one per merge (a merge that re-creates an existing token string adds a rule, not a
 * token), then `<|endoftext|>`, `<|im_start|>`, `<|im_end|>`.
 */
export function trainBpeTokenizer({ corpus, vocabSize, padToVocabSize = false }: TrainBpeTokenizerParameters): BpeTokenizerSpec {
  const minimum = 256 + SPECIAL_TOKENS.length;
  if (!Number.isInteger(vocabSize) || vocabSize < minimum) {
    throw new TokenizerError(`vocabSize ${vocabSize} is too small: byte-level BPE needs at least ${minimum} tokens`);
  }
  const tokens: string[] = byteToUnicode.slice();
  const idOf = new Map<string, number>(tokens.map((t, i) => [t, i]));
  const merges: string[] = [];
  const target = vocabSize - SPECIAL_TOKENS.length;

  // Unique words with counts, as arrays of token ids.
  const counts = new Map<string, number>();
  for (const doc of typeof corpus === "string" ? [corpus] : corpus) {
    for (const w of preTokenizeQwen2(doc)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    words.push(toByteLevel(w).map((ch) => idOf.get(ch)!));
    freq.push(c);
  }

  const SHIFT = 2 ** 20;
  if (vocabSize >= SHIFT) throw new TokenizerError(`vocabSize ${vocabSize} must be below ${SHIFT}`);
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addWordPairs = (wi: number, sign: 1 | -1) => {
    const w = words[wi];
    for (let i = 0; i + 1 < w.length; i++) {
      const key = w[i] * SHIFT + w[i + 1];
      const c = (pairCount.get(key) ?? 0) + sign * freq[wi];
      if (c === 0) pairCount.delete(key);
      else pairCount.set(key, c);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(wi);
      }
    }
  };
  words.forEach((_, wi) => addWordPairs(wi, 1));

  while (tokens.length < target) {
    let bestKey = -1;
    let bestCount = 0;
    let bestText = "";
    for (const [key, c] of pairCount) {
      if (c < bestCount) continue;
      const text = `${tokens[Math.floor(key / SHIFT)]} ${tokens[key % SHIFT]}`;
      if (c > bestCount || text < bestText) {
        bestKey = key;
        bestCount = c;
        bestText = text;
      }
    }
    if (bestKey < 0) break;
    const left = Math.floor(bestKey / SHIFT);
    const right = bestKey % SHIFT;
    const merged = tokens[left] + tokens[right];
    let id = idOf.get(merged);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      idOf.set(merged, id);
    }
    merges.push(bestText);
    for (const wi of pairWords.get(bestKey) ?? []) {
      const w = words[wi];
      addWordPairs(wi, -1);
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === left && w[i + 1] === right) {
          out.push(id);
          i++;
        } else out.push(w[i]);
      }
      words[wi] = out;
      addWordPairs(wi, 1);
    }
    pairWords.delete(bestKey);
  }

  if (tokens.length < target && !padToVocabSize) {
    throw new TokenizerError(
      `the corpus supports only ${tokens.length + SPECIAL_TOKENS.length} tokens, ${vocabSize} requested: ` +
        "give a larger corpus, a smaller vocabSize, or padToVocabSize: true",
    );
  }
  const special = {
    endOfText: tokens.push(SPECIAL_TOKENS[0]) - 1,
    imStart: tokens.push(SPECIAL_TOKENS[1]) - 1,
    imEnd: tokens.push(SPECIAL_TOKENS[2]) - 1,
  };
  for (let n = 0; tokens.length < vocabSize; n++) tokens.push(`<|extra_${n}|>`);
  return { tokens, merges, special, pre: "qwen2" };
}
