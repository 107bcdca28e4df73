export interface IncrementalDetokenizer {
  /** Add one generated token; returns the text it completes ("" while a UTF-8 character is still split across tokens). */
  push(token: number): string;
  /** Whatever is still pending at the end (decoded as is). */
  flush(): string;
}

/**
 * Byte-level BPE tokens can end in the middle of a UTF-8 character; decode pending tokens
 * together and hold them while the text ends in U+FFFD, for at most `maxPending` tokens (a
 * character is at most 4 bytes).
 */
export function createIncrementalDetokenizer(detokenize: (tokens: number[]) => string, maxPending = 4): IncrementalDetokenizer {
  let pending: number[] = [];
  return {
    push(token) {
      pending.push(token);
      const text = detokenize(pending);
      if (text.endsWith("\uFFFD") && pending.length < maxPending) return "";
      pending = [];
      return text;
    },
    flush() {
      const text = pending.length > 0 ? detokenize(pending) : "";
      pending = [];
      return text;
    },
  };
}
