import { tokenizeExample, type ChatTokenizer } from "../eval/dataset/tokenizeExample.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import type { ScoredSequence } from "../eval/train/types.js";

export type TokenizeContributionReturnType = { ok: true; sequences: ScoredSequence[] } | { ok: false; reason: string };

/** A contribution's examples as scored sequences (id = example hash), or why it cannot be used. */
export function tokenizeContribution(
  tokenizer: ChatTokenizer,
  examples: readonly DatasetExample[],
  exampleHashes: readonly string[],
  maxSequenceLength: number,
): TokenizeContributionReturnType {
  const sequences = examples.map((e, i) => ({ ...tokenizeExample(tokenizer, e), id: exampleHashes[i] }));
  const tooLong = sequences.findIndex((s) => s.tokens.length > maxSequenceLength);
  if (tooLong >= 0) {
    return { ok: false, reason: `example ${examples[tooLong].id} is ${sequences[tooLong].tokens.length} tokens, over the model's ${maxSequenceLength}` };
  }
  return { ok: true, sequences };
}
