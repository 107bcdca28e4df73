import type { DatasetExample } from "../../coordinator/src/eval/dataset/types.js";

/** Rust keywords, primitive types and common std names: kept as they are in a variant. */
const KEEP = new Set(
  (
    "as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while " +
    "i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str String Vec Box Option Some None Result Ok Err rust"
  ).split(" "),
);

const IDENT = /\b[A-Za-z_][A-Za-z0-9_]*\b/g;
const FENCE = /```[a-z]*\n([\s\S]*?)```/g;

/** A deterministic name for identifier `name` in variant `round` (one token under the near-duplicate rule's tokenizer). */
function rename(name: string, round: number): string {
  return `${name}_v${round}`;
}

/**
 * Variant `round` of a demo example, for synthetic Forges larger than the demo data: round 0 is
 * the example itself; round r ≥ 1 renames every identifier of its code blocks (not keywords or
 * primitive types) to `<name>_v<r>`, consistently in the prompt and in the response, and puts a tag
 * naming r in front of both (without code, every third word carries `_<r>` instead of renames). Renaming changes most 3-token shingles of the code and of the analysis
 * that quotes it, so two rounds of one example stay below the near-duplicate threshold (0.8
 * Jaccard; checked in test/ts/eval/benchVariantExample.test.ts) and are distinct examples to
 * de-duplication, while the text stays a code review of the same shape.
 */
export function variantExample(e: DatasetExample, round: number): DatasetExample {
  if (round === 0) return e;
  const names = new Set<string>();
  for (const block of e.prompt.matchAll(FENCE)) for (const m of block[1].matchAll(IDENT)) if (!KEEP.has(m[0])) names.add(m[0]);
  const swap = (text: string) => text.replace(IDENT, (w) => (names.has(w) ? rename(w, round) : w));
  // A tag whose every 3-token window holds the round number, in front of each field.
  const tag = `[ticket ${round} / queue ${round} / pass ${round}]`;
  // Without code (the control examples), every third word carries the round instead.
  const prose = (text: string) => {
    if (names.size > 0) return text;
    let k = 0;
    return text.replace(IDENT, (w) => (k++ % 3 === 0 ? `${w}_${round}` : w));
  };
  return { ...e, id: `${e.id}-v${round}`, prompt: `${tag} ${prose(swap(e.prompt))}`, response: `${tag} ${prose(swap(e.response))}` };
}
