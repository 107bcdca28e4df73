import type { ScoreVectorDuplicate } from "./buildScoreVector.js";

/**
 * One line for a contribution's dropped copies, as the attribution panel and the eval table show
 * them: how many of its examples earn nothing, and which kept examples they copy
 * (`duplicate-of <contribution id>:<example index>`, the first `show` of them, ids shown through
 * `name` when given). Empty when none.
 */
export function describeDuplicates(
  duplicates: readonly ScoreVectorDuplicate[] | undefined,
  examples: number,
  opts: { show?: number; name?: (contributionId: string) => string } = {},
): string {
  const show = opts.show ?? 4;
  if (!duplicates || duplicates.length === 0) return "";
  const kinds = (["exact", "normalized", "near"] as const)
    .map((k) => [k, duplicates.filter((d) => d.match === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  const refs = duplicates
    .slice(0, show)
    .map((d) => {
      const at = d.duplicateOf.lastIndexOf(":");
      const id = d.duplicateOf.slice(0, at);
      return `${opts.name ? opts.name(id) : id}${d.duplicateOf.slice(at)}`;
    })
    .join(", ");
  const more = duplicates.length > show ? ` … +${duplicates.length - show} more` : "";
  return `${duplicates.length} of ${examples} examples are copies (${kinds}), earn nothing: duplicate-of ${refs}${more}`;
}
