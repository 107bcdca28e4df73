import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { canonicalJson } from "../eval/attribution/hashInputs.js";
import type { ScoredSequence } from "../eval/train/types.js";

const DOMAIN = "ingotforge/training-sequences/v1\n";

/**
 * sha256 over what a training run reads of its sequences: each one's tokens and scoreFrom, in
 * order. Ids are left out on purpose: they name a sequence but never change the adapter.
 */
export function hashSequences(sequences: readonly ScoredSequence[]): Hex {
  const body = canonicalJson(sequences.map((s) => ({ scoreFrom: s.scoreFrom, tokens: s.tokens })));
  return `0x${createHash("sha256").update(DOMAIN).update(body).digest("hex")}`;
}
