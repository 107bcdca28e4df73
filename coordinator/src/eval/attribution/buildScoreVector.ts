import { ScoreVectorError } from "./errors.js";
import type { Estimate } from "./types.js";
import type { DedupeContributionsReturnType } from "./dedupeContributions.js";

/** On-chain scores are fixed point with 18 decimals: 1e18 = a utility of 1 nat per token. */
export const SCORE_DECIMALS = 18;
const INT256_MAX = 2n ** 255n - 1n;

export interface ScoreVectorEntry {
  id: string;
  /** round(value · 1e18), signed (int256); the contract gives non-positive scores no shares. */
  score: bigint;
  /** round(stdError · 1e18). */
  scoreStdError: bigint;
  value: number;
  stdError: number;
  /** "duplicate": nothing new after de-duplication, 0 by definition. */
  status: "scored" | "duplicate";
  /** Examples dropped as copies (absent when none): their value went to the example they copy. */
  duplicates?: ScoreVectorDuplicate[];
}

/** One dropped example, as the attribution record shows it. */
export interface ScoreVectorDuplicate {
  /** Its index in this contribution. */
  example: number;
  /** `<contribution id>:<example index>` of the kept example it copies (first in on-chain order). */
  duplicateOf: string;
  /** "exact" (same bytes), "normalized" (same normalized text) or "near" (shingle Jaccard ≥ threshold). */
  match: "exact" | "normalized" | "near";
  /** Jaccard similarity of the shingle sets, 1 for exact and normalized copies. */
  similarity: number;
}

export interface ScoreVector {
  method: Estimate["method"];
  /** Definition of the values, for the record. */
  utility: string;
  decimals: typeof SCORE_DECIMALS;
  /** Training seeds each utility was averaged over. */
  trainingSeeds: (string | number)[];
  /** Sampler seed of a Monte Carlo / MSR estimate. */
  samplerSeed?: string | number;
  evaluations: number;
  samples?: number;
  /** One entry per contribution, in on-chain order (duplicates included). */
  entries: ScoreVectorEntry[];
}

export interface BuildScoreVectorParameters {
  deduped: DedupeContributionsReturnType;
  /** Estimate over `deduped.players` (player i = deduped.players[i]). */
  estimate: Estimate;
  trainingSeeds: readonly (string | number)[];
  utility?: string;
}

export const HOLDOUT_UTILITY_DEFINITION =
  "U(S) = ln PPL(base) - ln PPL(base + LoRA trained on S), mean NLL per holdout response token (nats)";

/** Turns an estimate into the result the enclave signs: one integer score per contribution id. */
export function buildScoreVector(params: BuildScoreVectorParameters): ScoreVector {
  const { deduped, estimate } = params;
  if (estimate.values.length !== deduped.players.length) {
    throw new ScoreVectorError(
      `the estimate has ${estimate.values.length} players but de-duplication left ${deduped.players.length}; estimate over deduped.players`,
    );
  }
  const byId = new Map(deduped.players.map((id, i) => [id, estimate.values[i]]));
  const entries = deduped.contributions.map((c): ScoreVectorEntry => {
    const duplicates = c.duplicates.map((d): ScoreVectorDuplicate => ({ example: d.index, duplicateOf: `${d.of.id}:${d.of.index}`, match: d.match, similarity: d.similarity }));
    const dropped = duplicates.length > 0 ? { duplicates } : {};
    if (c.empty) return { id: c.id, score: 0n, scoreStdError: 0n, value: 0, stdError: 0, status: "duplicate", ...dropped };
    const v = byId.get(c.id)!;
    return { id: c.id, score: toFixed18(v.value, c.id), scoreStdError: toFixed18(v.stdError, c.id), value: v.value, stdError: v.stdError, status: "scored", ...dropped };
  });
  return {
    method: estimate.method,
    utility: params.utility ?? HOLDOUT_UTILITY_DEFINITION,
    decimals: SCORE_DECIMALS,
    trainingSeeds: [...params.trainingSeeds],
    ...(estimate.seed !== undefined ? { samplerSeed: estimate.seed } : {}),
    evaluations: estimate.evaluations,
    ...(estimate.samples !== undefined ? { samples: estimate.samples } : {}),
    entries,
  };
}

/**
 * value · 10^18 as an integer, from the shortest decimal that round-trips the double (ECMAScript's
 * Number::toString, identical on every engine), rounded half away from zero at the 18th decimal.
 * So 0.0125 becomes exactly 12500000000000000, not the binary expansion's 12500000000000001.
 */
export function toFixed18(value: number, id = "?"): bigint {
  if (!Number.isFinite(value)) throw new ScoreVectorError(`contribution ${id}: value ${value} is not finite; re-run its evaluation`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new ScoreVectorError(`contribution ${id}: cannot read value ${value} as a decimal`);
  const [, sign, whole, frac = "", exp = "0"] = match;
  // digits · 10^(shift) with shift = exponent − fraction length + 18
  const digits = BigInt(whole + frac);
  const shift = Number(exp) - frac.length + SCORE_DECIMALS;
  let magnitude: bigint;
  if (shift >= 0) magnitude = digits * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    magnitude = digits / divisor;
    if ((digits % divisor) * 2n >= divisor) magnitude += 1n;
  }
  if (magnitude > INT256_MAX) throw new ScoreVectorError(`contribution ${id}: value ${value} overflows int256`);
  return sign === "-" ? -magnitude : magnitude;
}
