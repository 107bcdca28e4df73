/**
 * GPT-2's reversible byte ↔ printable-character map used by byte-level BPE token strings
 * (and by llama.cpp's `unicode_byte_to_utf8`): printable Latin-1 bytes map to themselves, the
 * other 68 bytes to U+0100.. in byte order.
 */
function build(): string[] {
  const direct: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) direct.push(b);
  for (let b = 0xa1; b <= 0xac; b++) direct.push(b);
  for (let b = 0xae; b <= 0xff; b++) direct.push(b);
  const set = new Set(direct);
  const out: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(set.has(b) ? b : 256 + n++);
  return out;
}

/** `byteToUnicode[b]` is the one-character string for byte `b`. */
export const byteToUnicode: readonly string[] = build();

/** Inverse of `byteToUnicode`. */
export const unicodeToByte: ReadonlyMap<string, number> = new Map(byteToUnicode.map((c, b) => [c, b]));

const utf8 = new TextEncoder();

/** The byte-level form of `text`: its UTF-8 bytes, each as its mapped character. */
export function toByteLevel(text: string): string[] {
  const bytes = utf8.encode(text);
  const out: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = byteToUnicode[bytes[i]];
  return out;
}
