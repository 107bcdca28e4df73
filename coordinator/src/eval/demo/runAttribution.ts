import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { attributeContributions, type AttributionMethod } from "../attribution/attributeContributions.js";
import type { ScoreVector, ScoreVectorDuplicate } from "../attribution/buildScoreVector.js";
import { createInRunRunner } from "../attribution/createInRunRunner.js";
import { createLoraHoldoutScorer } from "../attribution/createLoraHoldoutScorer.js";
import { DEFAULT_ATTRIBUTION_METHOD } from "../attribution/resolveAttributionMethod.js";
import type { SeedStats } from "../attribution/createSeedAveragedUtility.js";
import { describeDuplicates } from "../attribution/describeDuplicates.js";
import { scoreVectorToJson } from "../attribution/scoreVectorToJson.js";
import { exampleHash } from "../dataset/exampleHash.js";
import { tokenizeExample } from "../dataset/tokenizeExample.js";
import type { DatasetExample } from "../dataset/types.js";
import { createScoringEngine, type ScoringMode } from "../engine/createScoringEngine.js";
import { ggufToModel } from "../model/ggufToModel.js";
import { createTokenizer } from "../tokenizer/createTokenizer.js";
import type { LoraHyperParameters, ScoredSequence, TrainProgress } from "../train/types.js";
import { DEMO_LORA_HYPER } from "./demoLoraHyper.js";
import { DEFAULT_CACHE_DIR } from "./ensureDemoBaseModel.js";
import { engineBuildId } from "./engineBuildId.js";
import { DemoError } from "./errors.js";

/** One contribution, in on-chain order. */
export interface NamedContribution {
  id: string;
  examples: readonly DatasetExample[];
}

export type AttributionRunProgress =
  | { kind: "coalitions"; done: number; total: number }
  | ({ kind: "train"; examples: number; seed: string | number } & TrainProgress);

export interface RunAttributionParameters {
  /** The frozen base GGUF (trained on and scored with). */
  modelPath: string;
  holdout: readonly DatasetExample[];
  contributions: readonly NamedContribution[];
  /** Default: exact Shapley for ≤ 6 contributions, in-run attribution above (DEFAULT_ATTRIBUTION_METHOD). */
  method?: AttributionMethod;
  /** Every coalition is trained once per seed; the spread is the training noise. Default [1, 2]. */
  trainingSeeds?: readonly (string | number)[];
  hyper?: Omit<LoraHyperParameters, "seed">;
  /** Adapters go to `<cacheDir>/adapters`, coalition utilities to `<cacheDir>/utility`. Default `.ingotforge/cache`. */
  cacheDir?: string;
  /** Default "exact" (what attested evals use). */
  mode?: ScoringMode;
  threads?: number;
  onProgress?: (p: AttributionRunProgress) => void;
  signal?: AbortSignal;
}

export type ContributionStatus = "included" | "duplicate" | "excluded";

export interface ContributionResult {
  id: string;
  status: ContributionStatus;
  /** Why it is a duplicate or excluded; for an included partial duplicate, what was dropped. */
  reason?: string;
  examples: number;
  /** Examples that count (new content, first in on-chain order). */
  kept: number;
  value: number;
  stdError: number;
  /** value · 1e18 as the chain takes it. */
  score: bigint;
  /** Examples dropped as copies of earlier ones (`duplicate-of <id>:<index>`), absent when none. */
  duplicates?: ScoreVectorDuplicate[];
}

export interface HoldoutFigure {
  nll: number;
  tokens: number;
  /** exp(nll / tokens). */
  perplexity: number;
}

export interface ServedAdapter extends HoldoutFigure {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  /** Contributions whose kept examples it was trained on, in order. */
  trainedOn: string[];
  examples: number;
  seed: string | number;
}

export interface RunAttributionReturnType {
  contributions: ContributionResult[];
  base: HoldoutFigure;
  /** The adapter the Ingot serves: trained on every included contribution's kept examples (absent if none is included). */
  tuned?: ServedAdapter;
  scoreVector: ScoreVector;
  /** JSON-safe score vector (scores as decimal strings) for the chain. */
  scoreVectorJson: ReturnType<typeof scoreVectorToJson>;
  noise: {
    /** Every evaluated coalition's per-seed utilities. */
    coalitions: SeedStats[];
    /** Mean and largest across-seed standard deviation of a coalition's utility. */
    meanStd: number;
    maxStd: number;
  };
  /** (coalition, seed) utilities computed in this run / answered from the utility cache. */
  trainings: { run: number; cached: number };
  /** LoRA adapters trained in this run / found in the adapter cache (the served one included). */
  adapters: { trained: number; reused: number };
  evaluations: number;
  inputsHash: string;
  wallMs: number;
}

/**
 * The marginal-contribution measurement on real parts, end to end: tokenize the holdout and the
 * contributions with the base model's own tokenizer (Qwen2.5 chat template, response tokens
 * scored), de-duplicate in on-chain order, train LoRA adapters per coalition and seed on the
 * frozen base, score the holdout on llama.cpp, estimate each contribution's value, and train
 * (or find cached) the adapter over all included data. Every adapter and utility is cached by
 * the hash of its inputs, so a rerun or a resumed run trains nothing twice.
 */
export async function runAttribution(params: RunAttributionParameters): Promise<RunAttributionReturnType> {
  const started = performance.now();
  const seeds = params.trainingSeeds ?? [1, 2];
  const hyper = params.hyper ?? DEMO_LORA_HYPER;
  const method = params.method ?? DEFAULT_ATTRIBUTION_METHOD;
  const mode = params.mode ?? "exact";
  const cacheDir = resolve(params.cacheDir ?? DEFAULT_CACHE_DIR);
  if (params.holdout.length === 0) throw new DemoError("the holdout has no examples; pass a holdout file with at least one example");

  let modelBytes: Uint8Array;
  try {
    modelBytes = new Uint8Array(await readFile(params.modelPath));
  } catch (cause) {
    throw new DemoError(`cannot read the base model ${params.modelPath}; build one with \`eval demo-model\` or pass a qwen2 GGUF`, { cause });
  }
  const baseSha256 = createHash("sha256").update(modelBytes).digest("hex");
  const model = ggufToModel(modelBytes);
  const tokenizer = createTokenizer(model.tokenizer);
  const maxTokens = Math.min(model.config.contextLength, 4096) - 1;
  const tooLong: string[] = [];
  const tokenize = (e: DatasetExample, where: string): ScoredSequence => {
    const s = tokenizeExample(tokenizer, e);
    if (s.tokens.length > maxTokens) tooLong.push(`${where}/${e.id} (${s.tokens.length} tokens)`);
    return s;
  };
  const holdout = params.holdout.map((e) => tokenize(e, "holdout"));
  const examples = new Map<string, ScoredSequence>();
  const contributions = params.contributions.map((c) => ({
    id: c.id,
    exampleHashes: c.examples.map((e) => {
      const h = exampleHash(e);
      if (!examples.has(h)) examples.set(h, tokenize(e, c.id));
      return h;
    }),
    exampleTexts: c.examples,
  }));
  if (tooLong.length > 0) {
    throw new DemoError(`${tooLong.length} examples exceed the model's ${maxTokens}-token limit: ${tooLong.slice(0, 5).join(", ")}${tooLong.length > 5 ? ", …" : ""}; shorten them or use a model with a longer context`);
  }

  const engine = await createScoringEngine({ modelPath: params.modelPath, mode, ...(params.threads !== undefined ? { threads: params.threads } : {}) });
  try {
    const scorer = createLoraHoldoutScorer({
      model,
      baseModelId: baseSha256,
      engine,
      holdout,
      examples,
      hyper,
      adapterDirectory: join(cacheDir, "adapters"),
      ...(params.signal ? { signal: params.signal } : {}),
      ...(params.onProgress ? { onTrainProgress: (p: TrainProgress & { examples: number; seed: string | number }) => params.onProgress!({ kind: "train", ...p }) } : {}),
    });
    // Scored once, for the utility and for the report.
    let basePromise: Promise<{ nll: number; tokens: number }> | undefined;
    const scoreBase = () => (basePromise ??= scorer.scoreBase());
    const holdoutHash = createHash("sha256").update(holdout.map((s) => `${s.scoreFrom}:${s.tokens.join(",")}`).join("\n")).digest("hex");
    const result = await attributeContributions({
      contributions,
      method,
      trainingSeeds: seeds,
      scoreBase,
      scoreTrained: scorer.scoreTrained,
      inRun: createInRunRunner({ model, examples, holdout, hyper, ...(params.signal ? { signal: params.signal } : {}) }),
      utilityInputs: { base: baseSha256, holdout: holdoutHash, hyper, mode, engine: engineBuildId() },
      cacheDirectory: join(cacheDir, "utility"),
      ...(params.onProgress ? { onProgress: (done: number, total: number) => params.onProgress!({ kind: "coalitions", done, total }) } : {}),
      ...(params.signal ? { signal: params.signal } : {}),
    });

    const baseScore = await scoreBase();
    const base = figure(baseScore);
    const out: ContributionResult[] = result.deduped.contributions.map((d, i) => {
      const entry = result.scoreVector.entries[i];
      const total = contributions[i].exampleHashes.length;
      const copies = describeDuplicates(entry.duplicates, total);
      const common = { id: d.id, examples: total, kept: d.keptHashes.length, value: entry.value, stdError: entry.stdError, score: entry.score, ...(entry.duplicates ? { duplicates: entry.duplicates } : {}) };
      if (d.empty) return { ...common, status: "duplicate", reason: total === 0 ? "no examples" : copies };
      if (!(entry.value > 0)) {
        return { ...common, status: "excluded", reason: `value ${entry.value.toPrecision(3)} ≤ 0: its data does not lower holdout perplexity` };
      }
      return { ...common, status: "included", ...(copies ? { reason: copies } : {}) };
    });

    let tuned: ServedAdapter | undefined;
    const included = result.deduped.contributions.filter((_, i) => out[i].status === "included");
    if (included.length > 0) {
      const hashes = included.flatMap((c) => c.keptHashes);
      const score = await scorer.scoreTrained(hashes, seeds[0]);
      const path = scorer.adapterPath(hashes, seeds[0]);
      const bytes = new Uint8Array(await readFile(path));
      tuned = {
        ...figure(score),
        path,
        bytes,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        trainedOn: included.map((c) => c.id),
        examples: hashes.length,
        seed: seeds[0],
      };
    }
    const stds = result.noise.map((s) => s.std);
    return {
      contributions: out,
      base,
      ...(tuned ? { tuned } : {}),
      scoreVector: result.scoreVector,
      scoreVectorJson: scoreVectorToJson(result.scoreVector),
      noise: {
        coalitions: result.noise,
        meanStd: stds.length ? stds.reduce((a, b) => a + b, 0) / stds.length : 0,
        maxStd: stds.length ? Math.max(...stds) : 0,
      },
      trainings: result.trainings,
      adapters: { ...scorer.stats },
      evaluations: result.estimate.evaluations,
      inputsHash: result.inputsHash,
      wallMs: performance.now() - started,
    };
  } finally {
    await engine.dispose();
  }
}

function figure(s: { nll: number; tokens: number }): HoldoutFigure {
  return { nll: s.nll, tokens: s.tokens, perplexity: Math.exp(s.nll / s.tokens) };
}
