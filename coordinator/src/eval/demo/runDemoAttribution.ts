import type { AttributionMethod } from "../attribution/attributeContributions.js";
import type { LoraHyperParameters } from "../train/types.js";
import { demoContributions, type DemoScenario } from "./demoContributions.js";
import type { DemoModelSpec } from "./demoModelSpec.js";
import { ensureDemoBaseModel, type DemoModelProgress, type EnsureDemoBaseModelReturnType } from "./ensureDemoBaseModel.js";
import { runAttribution, type AttributionRunProgress, type RunAttributionReturnType } from "./runAttribution.js";
import { DEMO_MODEL_THREADS } from "./demoModelThreads.js";

export interface RunDemoAttributionParameters {
  /** Default `.ingotforge/cache` (the base model, adapters and utilities are all cached there). */
  cacheDir?: string;
  /** Default `data/demo`. */
  dataDir?: string;
  /** Default "demo" (alice, copycat, control); "five" for alice, bob, carol, dave, control. */
  scenario?: DemoScenario;
  /** Default [1, 2]. */
  trainingSeeds?: readonly (string | number)[];
  method?: AttributionMethod;
  hyper?: Omit<LoraHyperParameters, "seed">;
  modelSpec?: DemoModelSpec;
  /** llama.cpp threads (default DEMO_MODEL_THREADS: 1). */
  threads?: number;
  onProgress?: (p: DemoModelProgress | AttributionRunProgress) => void;
  signal?: AbortSignal;
}

export interface RunDemoAttributionReturnType extends RunAttributionReturnType {
  model: EnsureDemoBaseModelReturnType;
  scenario: DemoScenario;
  notes: Record<string, string>;
}

/**
 * The demo scenario end to end: the cached demo base model (built on first use), the demo
 * contributors in on-chain order, exact Shapley over ln-perplexity improvement on the holdout
 * with training-seed noise, the served adapter and the chain's score vector. A rerun with the
 * same inputs trains nothing (every adapter and utility is cached).
 */
export async function runDemoAttribution(params: RunDemoAttributionParameters = {}): Promise<RunDemoAttributionReturnType> {
  const scenario = params.scenario ?? "demo";
  const model = await ensureDemoBaseModel({
    ...(params.cacheDir !== undefined ? { cacheDir: params.cacheDir } : {}),
    ...(params.dataDir !== undefined ? { corpusPath: `${params.dataDir}/pretrain-corpus.txt` } : {}),
    ...(params.modelSpec ? { spec: params.modelSpec } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
    ...(params.signal ? { signal: params.signal } : {}),
  });
  const data = await demoContributions({ scenario, ...(params.dataDir !== undefined ? { dataDir: params.dataDir } : {}) });
  const result = await runAttribution({
    modelPath: model.path,
    holdout: data.holdout,
    contributions: data.contributions,
    ...(params.method ? { method: params.method } : {}),
    ...(params.trainingSeeds ? { trainingSeeds: params.trainingSeeds } : {}),
    ...(params.hyper ? { hyper: params.hyper } : {}),
    ...(params.cacheDir !== undefined ? { cacheDir: params.cacheDir } : {}),
    threads: params.threads ?? DEMO_MODEL_THREADS.threads,
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
    ...(params.signal ? { signal: params.signal } : {}),
  });
  return { ...result, model, scenario, notes: data.notes };
}
