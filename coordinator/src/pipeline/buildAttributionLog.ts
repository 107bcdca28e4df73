import type { Address, Hex } from "viem";
import type { AttributeContributionsReturnType } from "../eval/attribution/attributeContributions.js";
import { NEAR_DUPLICATE_RULE } from "../eval/attribution/nearDuplicateRule.js";
import type { ForgeConfig } from "../chain/types.js";
import type { EnclaveDescription } from "../enclave/types.js";
import type { ComputePool } from "../compute/createComputePool.js";
import type { DataContribution } from "./collectDataContributions.js";

/** Format tag of the record; `replay` refuses records of another version. */
export const ATTRIBUTION_LOG_VERSION = "ingotforge-attribution-log/1";

export interface BuildAttributionLogParameters {
  chainId: number;
  forge: Address;
  config: ForgeConfig;
  base: { root: Hex; name: string };
  contributions: DataContribution[];
  attribution: AttributeContributionsReturnType;
  values: number[];
  scores: bigint[];
  pool: ComputePool;
  computeWork: bigint[];
  /** Compute registrations excluded (their bonds forfeited), with why. */
  excludedCompute?: readonly { computeId: number; reason: string }[];
  /** In-run feature jobs (createInRunFeaturePool's record), when in-run features came from workers. */
  inRunJobs?: unknown[];
  enclave: EnclaveDescription;
  evalConfig: unknown;
  evalConfigHash: Hex;
  adapterRoot: Hex;
  perplexityBefore: number;
  perplexityAfter: number;
  holdout: { examples: number; tokens: number };
}

export type AttributionLog = ReturnType<typeof buildAttributionLog>;

/**
 * The record of a whole eval, stored under its 0G root (which goes on-chain with the result):
 * enough for anyone holding the inputs (and, for the holdout, its key) to replay the scores.
 * It names the holdout only by root and size: no holdout text is ever written into it.
 */
export function buildAttributionLog(p: BuildAttributionLogParameters) {
  const entries = new Map(p.attribution.scoreVector.entries.map((e) => [e.id, e]));
  return {
    version: ATTRIBUTION_LOG_VERSION,
    chainId: p.chainId,
    forge: p.forge,
    enclave: { ...p.enclave, note: p.enclave.simulated ? "SIMULATED enclave: nothing in this record is hardware-attested" : "hardware-attested (Intel TDX via dstack)" },
    baseModel: { name: p.base.name, root: p.base.root, forgeName: p.config.baseModelName },
    holdout: { root: p.config.holdoutRoot, examples: p.holdout.examples, tokens: p.holdout.tokens },
    evalConfig: p.evalConfig,
    evalConfigHash: p.evalConfigHash,
    engine: { name: "llama.cpp via node-llama-cpp", mode: "exact (F32 KV cache, flash attention off)" },
    contributions: p.contributions.map((c, i) => ({
      dataId: c.dataId,
      contributor: c.contributor,
      root: c.root,
      sizeBytes: c.sizeBytes,
      exampleCount: c.exampleCount,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      exampleHashes: c.exampleHashes,
      keptExamples: p.attribution.deduped.contributions.find((d) => d.id === String(c.dataId))?.keptHashes.length ?? 0,
      // Each dropped copy: "duplicate-of <dataId>:<example index>" of the kept example it copies.
      ...(entries.get(String(c.dataId))?.duplicates ? { duplicates: entries.get(String(c.dataId))!.duplicates!.map((d) => ({ ...d, duplicateOf: `duplicate-of ${d.duplicateOf}` })) } : {}),
      value: p.values[i],
      score: p.scores[i],
    })),
    nearDuplicateRule: NEAR_DUPLICATE_RULE,
    estimator: {
      method: p.attribution.estimate.method,
      evaluations: p.attribution.estimate.evaluations,
      scoreVector: p.attribution.scoreVector,
      inputsHash: p.attribution.inputsHash,
      // In-run only: each seed's checkpoints (hashes of the LoRA state) and per-checkpoint terms,
      // and the leave-one-contribution-out cross-check with its rank correlation.
      ...(p.attribution.inRun ? { inRun: p.attribution.inRun } : {}),
      ...(p.attribution.calibration ? { calibration: p.attribution.calibration } : {}),
      // The served adapter is the in-run pass's own run (every kept example, in contribution order, on this seed).
      ...(p.attribution.servedAdapter ? { servedAdapter: { source: "in-run-pass", seed: p.attribution.servedAdapter.seed, examples: p.attribution.servedAdapter.exampleHashes.length } } : {}),
    },
    utilities: p.attribution.noise,
    compute: { jobs: p.pool.record(), workByComputeId: p.computeWork, excluded: p.excludedCompute ?? [], ...(p.inRunJobs ? { inRunJobs: p.inRunJobs } : {}) },
    result: { adapterRoot: p.adapterRoot, perplexityBefore: p.perplexityBefore, perplexityAfter: p.perplexityAfter },
  };
}
