import { buildScoreVector, type ScoreVector } from "./buildScoreVector.js";
import { createHoldoutUtility, type HoldoutScore } from "./createHoldoutUtility.js";
import { createSeedAveragedUtility, type SeedStats } from "./createSeedAveragedUtility.js";
import { createUtilityCache } from "./createUtilityCache.js";
import { dedupeContributions, type ContributionExamples, type DedupeContributionsReturnType } from "./dedupeContributions.js";
import { calibrateInRun, type InRunCalibration } from "./calibrateInRun.js";
import { AttributionError, EstimatorParameterError } from "./errors.js";
import { exactBanzhaf } from "./exactBanzhaf.js";
import { exactShapley } from "./exactShapley.js";
import { hashInputs } from "./hashInputs.js";
import { leaveOneOut } from "./leaveOneOut.js";
import { monteCarloShapley } from "./monteCarloShapley.js";
import { msrBanzhaf } from "./msrBanzhaf.js";
import type { InRunRunner, InRunRunResult, InRunSettings } from "./inRunTypes.js";
import type { LoraAdapter } from "../model/types.js";
import { resolveAttributionMethod } from "./resolveAttributionMethod.js";
import type { Estimate, PlayerValue, Utility } from "./types.js";

/** Which estimator, with its own knobs. */
export type AttributionMethod =
  | { kind: "leave-one-out" }
  | { kind: "exact-shapley" }
  | { kind: "exact-banzhaf" }
  | { kind: "monte-carlo-shapley"; permutations: number; seed: string | number; truncation?: { tolerance: number } }
  | { kind: "msr-banzhaf"; samples: number; seed: string | number }
  /** TracIn / first-order In-Run Data Shapley along the served adapter's run (needs `inRun`). */
  | ({ kind: "in-run" } & InRunSettings)
  /** Exact Shapley up to `exactUpTo` contributions, in-run above (resolveAttributionMethod). */
  | { kind: "auto"; exactUpTo: number; inRun: InRunSettings };

export interface AttributeContributionsParameters {
  /** Contributions in on-chain order, each with its examples' content hashes. */
  contributions: readonly ContributionExamples[];
  method: AttributionMethod;
  /** Training seeds: every coalition is trained once per seed; the spread is the training noise. */
  trainingSeeds: readonly (string | number)[];
  /** Score the holdout on the base model. */
  scoreBase: () => Promise<HoldoutScore>;
  /**
   * Train an adapter on exactly these examples (de-duplicated, in on-chain order) with `seed`, and
   * score the holdout with it. Never called with no examples.
   */
  scoreTrained: (exampleHashes: readonly string[], seed: string | number) => Promise<HoldoutScore>;
  /**
   * Everything else the utility depends on (base model hash, holdout hash, hyper-parameters, engine
   * build...). Hashed with the contributions and seeds into the cache key.
   */
  utilityInputs: unknown;
  /**
   * Runs the served adapter's training with in-run attribution (createInRunRunner); required when
   * the method is or resolves to "in-run". Runs once per training seed.
   */
  inRun?: InRunRunner;
  /** Persist every trained-and-scored coalition here so a stopped run resumes without recomputing. */
  cacheDirectory?: string;
  /** Called after each newly evaluated coalition (mean over seeds): (done, planned). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface AttributeContributionsReturnType {
  scoreVector: ScoreVector;
  estimate: Estimate;
  deduped: DedupeContributionsReturnType;
  /** Training noise of every coalition evaluated: per-seed utilities, mean, spread. */
  noise: SeedStats[];
  /** Trainings run in this process, and (coalition, seed) utilities answered from the cache instead. */
  trainings: { run: number; cached: number };
  inputsHash: string;
  /** In-run passes, one per training seed it ran on (InRunSettings.seeds; method "in-run" only). */
  inRun?: { seed: string | number; checkpointEvery: number; checkpoints: InRunRunResult["checkpoints"]; perCheckpoint: number[][]; work: InRunRunResult["work"] }[];
  /** Leave-one-contribution-out cross-check of in-run values (method "in-run" with calibration samples > 0). */
  calibration?: InRunCalibration;
  /**
   * The adapter to serve when it is the in-run pass's own run (InRunSettings.servedAdapter
   * "in-run-pass"): every de-duplicated contribution's examples in player order, on the pass's
   * first seed; trainServedAdapter serves exactly this training. Absent: retrain on the
   * contributions of positive value.
   */
  servedAdapter?: { exampleHashes: string[]; seed: string | number; adapter?: LoraAdapter };
}

/**
 * The whole marginal-contribution measurement: de-duplicate (duplicate content earns once), make
 * each non-empty contribution a player, define U(S) = ln PPL(base) − ln PPL(base + adapter trained
 * on S's examples) averaged over the training seeds (cached per coalition and seed, on disk when
 * asked), run the estimator, and build the score vector with standard errors and seeds.
 */
export async function attributeContributions(params: AttributeContributionsParameters): Promise<AttributeContributionsReturnType> {
  const deduped = dedupeContributions(params.contributions);
  const inputsHash = hashInputs({
    kind: "ingotforge-attribution/1",
    contributions: deduped.contributions.map((c) => ({ id: c.id, examples: c.keptHashes })),
    utilityInputs: params.utilityInputs,
  });
  const kept = deduped.players.map((id) => deduped.contributions.find((c) => c.id === id)!.keptHashes);
  let trainingsRun = 0;
  const cache = await createUtilityCache({ inputsHash, ...(params.cacheDirectory !== undefined ? { directory: params.cacheDirectory } : {}) });
  const seeded = cache.wrapSeeded(
    createHoldoutUtility({
      scoreBase: params.scoreBase,
      scoreTrained: (members, seed) => {
        trainingsRun++;
        return params.scoreTrained(members.flatMap((i) => kept[i]), seed);
      },
    }),
  );
  const averaged = createSeedAveragedUtility({ utility: seeded, seeds: params.trainingSeeds });
  const n = deduped.players.length;

  let estimate: Estimate;
  const inRunPasses: (NonNullable<AttributeContributionsReturnType["inRun"]>[number] & { values: PlayerValue[]; adapter?: LoraAdapter })[] = [];
  let calibration: InRunCalibration | undefined;
  let servedAdapter: AttributeContributionsReturnType["servedAdapter"];
  if (n === 0) {
    estimate = { method: resolveAttributionMethod(params.method, 0).kind, values: [], evaluations: 0 };
  } else {
    const common = { players: n, utility: averaged.utility as Utility, onProgress: params.onProgress, signal: params.signal };
    const noisy = { ...common, utilityStdError: averaged.stdError };
    const m = resolveAttributionMethod(params.method, n);
    try {
      switch (m.kind) {
        case "leave-one-out":
          estimate = await leaveOneOut(noisy);
          break;
        case "exact-shapley":
          estimate = await exactShapley(noisy);
          break;
        case "exact-banzhaf":
          estimate = await exactBanzhaf(noisy);
          break;
        case "monte-carlo-shapley":
          estimate = await monteCarloShapley({ ...common, permutations: m.permutations, seed: m.seed, ...(m.truncation ? { truncation: m.truncation } : {}) });
          break;
        case "msr-banzhaf":
          estimate = await msrBanzhaf({ ...common, samples: m.samples, seed: m.seed });
          break;
        case "in-run": {
          if (!params.inRun) throw new AttributionError("method in-run needs an in-run runner: pass inRun (createInRunRunner) to attributeContributions");
          // settings.seeds: the first k training seeds (one by default: the served adapter's); absent, all of them.
          const passSeeds = params.trainingSeeds.slice(0, m.seeds ?? params.trainingSeeds.length);
          for (const seed of passSeeds) {
            params.signal?.throwIfAborted();
            const { kind: _kind, ...settings } = m;
            const r = await params.inRun(kept, seed, settings);
            inRunPasses.push({ seed, checkpointEvery: r.checkpointEvery, checkpoints: r.checkpoints, perCheckpoint: r.perCheckpoint, work: r.work, values: r.values, ...(r.adapter ? { adapter: r.adapter } : {}) });
            params.onProgress?.(inRunPasses.length, passSeeds.length);
          }
          estimate = { method: "in-run", values: meanOverSeeds(inRunPasses.map((r) => r.values)), evaluations: 0 };
          // The pass's run is the served adapter's training: the same examples in the same order, on the same seed.
          // With checkpoints at the ends the pass hands over its adapter (its last checkpoint), so serving it trains nothing.
          if (m.servedAdapter === "in-run-pass" && passSeeds.length > 0) servedAdapter = { exampleHashes: kept.flat(), seed: passSeeds[0], ...(inRunPasses[0].adapter ? { adapter: inRunPasses[0].adapter } : {}) };
          if (m.calibration.samples > 0 && n >= 2) {
            calibration = await calibrateInRun({
              players: n,
              inRunValues: estimate.values.map((v) => v.value),
              utility: averaged.utility as Utility,
              samples: m.calibration.samples,
              seed: m.calibration.seed,
              ...(params.onProgress ? { onProgress: params.onProgress } : {}),
              ...(params.signal ? { signal: params.signal } : {}),
            });
          }
          break;
        }
        default:
          throw new EstimatorParameterError(`unknown attribution method ${(m as { kind: string }).kind}`);
      }
    } finally {
      // Whatever finished is on disk before an abort or error propagates.
      await cache.flush();
    }
  }
  return {
    // In-run values come from the passes' seeds only (InRunSettings.seeds).
    scoreVector: buildScoreVector({ deduped, estimate, trainingSeeds: inRunPasses.length ? inRunPasses.map((r) => r.seed) : params.trainingSeeds }),
    estimate,
    deduped,
    noise: averaged.stats(),
    trainings: { run: trainingsRun, cached: cache.hits },
    inputsHash,
    ...(inRunPasses.length ? { inRun: inRunPasses.map(({ values: _values, adapter: _adapter, ...pass }) => pass) } : {}),
    ...(calibration ? { calibration } : {}),
    ...(servedAdapter ? { servedAdapter } : {}),
  };
}

/**
 * Mean over training seeds of per-seed in-run values; the standard error combines each seed's own
 * (checkpoints and projection) with the spread across seeds: √(Σ se_s² / S² + var_s / S).
 */
function meanOverSeeds(perSeed: readonly PlayerValue[][]): PlayerValue[] {
  const S = perSeed.length;
  return perSeed[0].map((_, i) => {
    const vs = perSeed.map((r) => r[i].value);
    const mean = vs.reduce((a, v) => a + v, 0) / S;
    const own = perSeed.reduce((a, r) => a + r[i].stdError ** 2, 0) / (S * S);
    const across = S > 1 ? vs.reduce((a, v) => a + (v - mean) ** 2, 0) / (S - 1) / S : 0;
    return { value: S === 1 ? vs[0] : mean, stdError: Math.sqrt(own + across) };
  });
}
