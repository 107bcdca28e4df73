/**
 * Qwen2's pre-tokenizer split, as llama.cpp performs it for `tokenizer.ggml.pre = "qwen2"`:
 *
 *   (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}
 *   | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *
 * Digits split one by one (`\p{N}`, not `{1,3}`). `\s` is llama.cpp's whitespace set, not
 * JavaScript's: llama.cpp collapses each non-ASCII whitespace code point (its table includes
 * U+0085 and excludes U+FEFF) to one byte that std::regex's `\s` matches, so we spell the set out.
 */
const WS = "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const S = `[${WS}]`;
const NOT_S = `[^${WS}]`;

const QWEN2_PATTERN = new RegExp(
  [
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])",
    "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+",
    "\\p{N}",
    ` ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*`,
    `${S}*[\\r\\n]+`,
    `${S}+(?!${NOT_S})`,
    `${S}+`,
  ].join("|"),
  "gu",
);

/** Split text into the words BPE runs on; concatenated they give back `text` exactly. */
export function preTokenizeQwen2(text: string): string[] {
  const words: string[] = [];
  let last = 0;
  for (const match of text.matchAll(QWEN2_PATTERN)) {
    // The pattern covers every code point, but keep any gap rather than drop text.
    if (match.index > last) words.push(text.slice(last, match.index));
    words.push(match[0]);
    last = match.index + match[0].length;
  }
  if (last < text.length) words.push(text.slice(last));
  return words;
}
