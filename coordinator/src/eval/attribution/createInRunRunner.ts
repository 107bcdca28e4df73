import type { Qwen2Model } from "../model/types.js";
import { computeInRunFeatures, type InRunCheckpointFeatures, type InRunPreconditioner } from "../train/computeInRunFeatures.js";
import { createLoraGradientProbe, type LoraGradientProbe } from "../train/createLoraGradientProbe.js";
import { createBatchSchedule } from "../train/batchSchedule.js";
import { loraAdapterFromState } from "../train/loraAdapterFromState.js";
import type { LoraHyperParameters, ScoredSequence } from "../train/types.js";
import { computeInRunValues } from "./computeInRunValues.js";
import { AttributionError } from "./errors.js";
import type { InRunRunner } from "./inRunTypes.js";
import { planInRunBudget } from "./planInRunBudget.js";
import { createGradientProjection, type GradientProjection } from "./projectGradient.js";

/** What the features of one in-run pass are computed from (a job a worker can run: no holdout). */
export interface InRunFeatureRequest {
  sequences: readonly ScoredSequence[];
  /** Their content hashes, same order. */
  exampleHashes: readonly string[];
  hyper: LoraHyperParameters;
  checkpointEvery: number;
  projection: { seed: string | number; dim: number };
  preconditioner: InRunPreconditioner;
  /** Features at each interval's end (InRunSettings.checkpointAt); absent: at its start. */
  checkpointAt?: "end";
  /** Features of every example at every checkpoint (InRunSettings.exampleWeights); absent: of those trained in its interval. */
  exampleWeights?: "uniform";
}

/** Computes (or obtains from verified workers) the checkpoints and projected per-example gradients. */
export type InRunFeatureSource = (request: InRunFeatureRequest, options: { signal?: AbortSignal }) => Promise<{ paramNames: string[]; checkpoints: InRunCheckpointFeatures[] }>;

/** K = ⌈steps / checkpoints⌉: the checkpoint interval for `settings.checkpoints` checkpoints along a run. */
export function checkpointEveryFor(hyper: LoraHyperParameters, examples: number, checkpoints: number): number {
  const total = createBatchSchedule({ seed: hyper.seed, count: examples, batchSize: hyper.batchSize, steps: hyper.steps, epochs: hyper.epochs }).totalSteps;
  return Math.max(1, Math.ceil(total / Math.max(1, checkpoints)));
}


/** The run computed here, in this process (the coordinator's own execution, or a test's). */
export function localInRunFeatures(model: Qwen2Model): InRunFeatureSource {
  return async (r, options) => {
    const projection = createGradientProjection(r.projection);
    const out = await computeInRunFeatures({
      model,
      sequences: [...r.sequences],
      hyper: r.hyper,
      checkpointEvery: r.checkpointEvery,
      preconditioner: r.preconditioner,
      ...(r.checkpointAt ? { checkpointAt: r.checkpointAt } : {}),
      ...(r.exampleWeights ? { exampleWeights: r.exampleWeights } : {}),
      project: (g) => projection.project(g),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { paramNames: out.paramNames, checkpoints: out.checkpoints };
  };
}

export interface CreateInRunRunnerParameters {
  /** The frozen base, as the trainer reads it: the holdout gradients are taken on it. */
  model: Qwen2Model;
  /** Tokenized training examples by content hash. */
  examples: ReadonlyMap<string, ScoredSequence>;
  /** The tokenized holdout; it stays in this process. */
  holdout: readonly ScoredSequence[];
  hyper: Omit<LoraHyperParameters, "seed">;
  /** Where the features come from (default: computed here with localInRunFeatures). */
  features?: InRunFeatureSource;
  signal?: AbortSignal;
}

/**
 * The in-run runner `attributeContributions` takes for method "in-run": one training of every
 * player's examples (concatenated in player order), features from `features`, holdout gradients
 * and dot products here (computeInRunValues), with checkpoints and holdout chosen under
 * `settings.maxExtraWork` (planInRunBudget).
 */
export function createInRunRunner(p: CreateInRunRunnerParameters): InRunRunner {
  const features = p.features ?? localInRunFeatures(p.model);
  let probe: LoraGradientProbe | undefined;
  let projection: GradientProjection | undefined;
  return async (playerExamples, seed, settings) => {
    const hashes = playerExamples.flat();
    const missing = hashes.filter((h) => !p.examples.has(h));
    if (missing.length > 0) throw new AttributionError(`in-run: no tokenized example for hashes ${missing.slice(0, 3).join(", ")}; tokenize every contribution's examples first`);
    if (hashes.length === 0) throw new AttributionError("in-run needs at least one example");
    const playerOf = playerExamples.flatMap((list, player) => list.map(() => player));
    const sequences = hashes.map((h) => ({ ...p.examples.get(h)!, id: h }));
    const hyper: LoraHyperParameters = { ...p.hyper, seed };
    const weights = settings.exampleWeights === "uniform" ? { exampleWeights: "uniform" as const } : {};
    const budget = planInRunBudget({ sequences, hyper, holdout: p.holdout, checkpoints: settings.checkpoints, sampleSeed: settings.projectionSeed, ...(settings.maxExtraWork !== undefined ? { maxExtraWork: settings.maxExtraWork } : {}), ...weights });
    const { checkpointEvery, plans } = budget;
    const holdout = budget.holdout.map((i) => p.holdout[i]);
    const request: InRunFeatureRequest = { sequences, exampleHashes: hashes, hyper, checkpointEvery, projection: { seed: settings.projectionSeed, dim: settings.projectionDim }, preconditioner: settings.preconditioner, ...(settings.checkpointAt === "end" ? { checkpointAt: "end" as const } : {}), ...weights };
    const got = await features(request, p.signal ? { signal: p.signal } : {});
    probe ??= createLoraGradientProbe({ model: p.model, hyper: p.hyper });
    if (!projection || projection.seed !== settings.projectionSeed || projection.dim !== settings.projectionDim) {
      projection = createGradientProjection({ seed: settings.projectionSeed, dim: settings.projectionDim });
    }
    if (got.paramNames.length !== probe.paramNames.length || got.paramNames.some((n, i) => n !== probe!.paramNames[i])) {
      throw new AttributionError("in-run: the features' LoRA parameters are not this run's; refuse the worker's result");
    }
    // At the ends, the last checkpoint is the state after the run's last step: the run's adapter.
    const last = got.checkpoints.at(-1);
    const totalSteps = plans.at(-1)?.endStep;
    const adapter = settings.checkpointAt === "end" && last && last.endStep === totalSteps ? loraAdapterFromState({ paramNames: got.paramNames, values: last.values, rank: hyper.rank, alpha: hyper.alpha }) : undefined;
    const r = computeInRunValues({ plans, checkpoints: got.checkpoints, paramNames: got.paramNames, playerOf, players: playerExamples.length, holdout, holdoutPopulation: p.holdout.length, probe, projection });
    return {
      values: r.values,
      perCheckpoint: r.perCheckpoint,
      checkpoints: got.checkpoints.map((c) => ({ step: c.step, endStep: c.endStep, stateHash: c.stateHash })),
      checkpointEvery,
      work: { trainingTokens: budget.runTokens, featureTokens: budget.featureTokens, holdoutTokens: r.holdoutTokens, holdoutExamples: { used: holdout.length, of: p.holdout.length }, withinBudget: budget.withinBudget },
      ...(adapter ? { adapter } : {}),
    };
  };
}
