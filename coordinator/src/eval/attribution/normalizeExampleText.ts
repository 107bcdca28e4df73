/** The two texts of an example, as `DatasetExample` carries them. */
export interface ExampleText {
  prompt: string;
  response: string;
}

/**
 * The text a copy cannot change without changing what it says: Unicode NFKC (compatibility forms
 * such as full-width letters and ligatures become plain ones), invisible format characters
 * (Unicode category Cf: zero-width spaces and joiners, soft hyphens, byte-order marks) removed,
 * case-folded (upper then lower case, so `ß` and `SS` meet), every run of whitespace made one
 * space, and trimmed. Prompt and response are normalized apart.
 */
export function normalizeExampleText(example: ExampleText): ExampleText {
  return { prompt: normalize(example.prompt), response: normalize(example.response) };
}

function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .toUpperCase()
    .toLowerCase()
    .normalize("NFKC")
    .replace(/\s+/gu, " ")
    .trim();
}
