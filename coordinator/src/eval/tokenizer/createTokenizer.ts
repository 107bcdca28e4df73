import type { BpeTokenizerSpec } from "../model/types.js";
import { bpeMerge } from "./bpeMerge.js";
import { byteToUnicode, toByteLevel, unicodeToByte } from "./byteToUnicode.js";
import { TokenizerError } from "./errors.js";
import { preTokenizeQwen2 } from "./preTokenizeQwen2.js";

export interface Tokenizer {
  /** Plain text to ids; special-token text like "<|im_start|>" is tokenized as ordinary text. */
  encode(text: string): number[];
  /** Ids back to text; special tokens decode to their literal text. */
  decode(ids: number[]): string;
  spec: BpeTokenizerSpec;
}

/**
 * A byte-level BPE tokenizer giving exactly the ids llama.cpp gives for a GGUF carrying `spec`
 * (qwen2 pre-tokenizer, llama.cpp's merge order). Special tokens are never produced from text;
 * insert them by id.
 */
export function createTokenizer(spec: BpeTokenizerSpec): Tokenizer {
  if (spec.pre !== "qwen2") throw new TokenizerError(`pre-tokenizer "${spec.pre}" is not supported; only "qwen2" is implemented`);
  const tokenToId = new Map<string, number>();
  spec.tokens.forEach((t, id) => {
    if (!tokenToId.has(t)) tokenToId.set(t, id);
  });
  for (const b of byteToUnicode) {
    if (!tokenToId.has(b)) throw new TokenizerError(`vocabulary lacks the byte token "${b}"; byte-level BPE needs all 256`);
  }
  const ranks = new Map<string, number>();
  spec.merges.forEach((m, rank) => {
    if (!ranks.has(m)) ranks.set(m, rank);
  });
  const specialIds = new Set([spec.special.endOfText, spec.special.imStart, spec.special.imEnd]);
  const cache = new Map<string, number[]>();
  // ignoreBOM: a leading U+FEFF is text here, not a byte-order mark to strip.
  const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

  const encodeWord = (word: string): number[] => {
    const hit = cache.get(word);
    if (hit) return hit;
    const ids: number[] = [];
    for (const symbol of bpeMerge(toByteLevel(word), ranks)) {
      const id = tokenToId.get(symbol);
      if (id !== undefined) ids.push(id);
      // llama.cpp falls back to one token per byte when a merged symbol is not in the vocabulary.
      else for (const ch of symbol) ids.push(tokenToId.get(ch)!);
    }
    if (cache.size < 100_000) cache.set(word, ids);
    return ids;
  };

  return {
    spec,
    encode(text: string): number[] {
      const out: number[] = [];
      for (const word of preTokenizeQwen2(text)) for (const id of encodeWord(word)) out.push(id);
      return out;
    },
    decode(ids: number[]): string {
      const bytes: number[] = [];
      const enc = new TextEncoder();
      for (const id of ids) {
        const token = spec.tokens[id];
        if (token === undefined) throw new TokenizerError(`token id ${id} is outside the vocabulary of ${spec.tokens.length}`);
        if (specialIds.has(id)) {
          bytes.push(...enc.encode(token));
          continue;
        }
        for (const ch of token) {
          const b = unicodeToByte.get(ch);
          if (b !== undefined) bytes.push(b);
          else bytes.push(...enc.encode(ch));
        }
      }
      return utf8.decode(new Uint8Array(bytes));
    },
  };
}
