import { keccak256, toBytes, type Address, type Hex } from "viem";
import { attributeContributions, type AttributionMethod } from "../eval/attribution/attributeContributions.js";
import { hashInputs } from "../eval/attribution/hashInputs.js";
import { createInRunRunner, localInRunFeatures } from "../eval/attribution/createInRunRunner.js";
import type { InRunFeaturePool } from "../compute/inRun/createInRunFeaturePool.js";
import type { Qwen2Model } from "../eval/model/types.js";
import { tokenizeExample, type ChatTokenizer } from "../eval/dataset/tokenizeExample.js";
import type { ScoringEngine } from "../eval/engine/createScoringEngine.js";
import type { LoraHyperParameters, ScoredSequence } from "../eval/train/types.js";
import { getForgeStatus } from "../chain/getForgeStatus.js";
import { evalResultTypedData } from "../chain/evalResultTypedData.js";
import type { EvalResult, ProtocolContext } from "../chain/types.js";
import type { Enclave } from "../enclave/types.js";
import type { ContentStore } from "../storage/types.js";
import { planTrainingJob } from "../compute/planTrainingJob.js";
import type { ComputePool } from "../compute/createComputePool.js";
import { collectDataContributions, type DataContribution } from "./collectDataContributions.js";
import { excludeWholeDuplicates } from "./excludeWholeDuplicates.js";
import { openSealedHoldout } from "./openSealedHoldout.js";
import { trainServedAdapter } from "./trainServedAdapter.js";
import { passAdapterBytes } from "./passAdapterBytes.js";
import { tokenizeContribution } from "./tokenizeContribution.js";
import { createHoldoutScorer } from "./createHoldoutScorer.js";
import { buildAttributionLog, type AttributionLog } from "./buildAttributionLog.js";
import { toFixed18 } from "./fixedPoint.js";
import { excludedEntries } from "./excludedEntries.js";
import { EVAL_PIPELINE_VERSION, evalUtilityInputs } from "./evalUtilityInputs.js";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { ggufToLoraAdapter } from "../eval/model/ggufToLoraAdapter.js";
import { hashAdapter } from "../eval/train/hashAdapter.js";
import path from "node:path";

export interface RunForgeEvalParameters {
  ctx: ProtocolContext;
  forge: Address;
  store: ContentStore;
  enclave: Enclave;
  /** The base model: its GGUF on disk (already checked against `root`) and the trainer's view of it. */
  base: { path: string; root: Hex; name: string };
  engine: ScoringEngine;
  pool: ComputePool;
  /**
   * Compute registrations the coordinator excluded (Ed25519 proof of possession failed, or the key
   * was already registered): their work counts 0 and their bonds are forfeited.
   */
  excludedCompute?: readonly { computeId: number; reason: string }[];
  tokenizer: ChatTokenizer;
  hyper: Omit<LoraHyperParameters, "seed">;
  trainingSeeds: readonly (string | number)[];
  method: AttributionMethod;
  /**
   * The base as the trainer reads it: in-run attribution takes the holdout gradients on it, inside
   * the enclave. Needed when the method is or resolves to "in-run".
   */
  model?: Qwen2Model;
  /**
   * Where in-run features (checkpoints and projected per-example gradients) come from: untrusted
   * workers verified by duplication (createInRunFeaturePool; its jobs go into the record and its
   * accepted jobs into the workers' verified work), or by default the coordinator's own run.
   */
  inRunPool?: Pick<InRunFeaturePool, "features" | "record" | "credits">;
  /** The public seed fixed when the window closed (e.g. the closing block's hash). */
  publicSeed: Hex;
  holdoutInfo: string;
  /** Cache of evaluated coalitions and adapters: a restart resumes from it. */
  workDir: string;
  /** How long the signed result stays valid. */
  resultTtlSeconds?: bigint;
  onEvent?: (event: PipelineEvent) => void;
  signal?: AbortSignal;
}

export type PipelineEvent =
  | { kind: "contributions"; included: number; excluded: number; exclusions?: { dataId: number; root: Hex; reason: string }[] }
  | { kind: "holdout"; examples: number; tokens: number }
  | { kind: "coalition"; done: number; total: number }
  | { kind: "final-adapter"; adapterRoot: Hex; perplexityBefore: number; perplexityAfter: number };

export interface RunForgeEvalReturnType {
  result: EvalResult;
  signature: Hex;
  log: AttributionLog;
  contributions: DataContribution[];
  perplexityBefore: number;
  perplexityAfter: number;
  /** Marginal value per data id (nats/token), 0 for excluded and duplicates. */
  values: number[];
}

/**
 * The whole eval of one closed Forge, inside the enclave process: collect and verify the data
 * contributions, open the sealed holdout, train adapters on coalitions through the compute pool
 * (deterministic jobs planned from the public seed, results signed by workers and re-executed by
 * policy), score every adapter on the holdout with llama.cpp in exact mode, estimate each
 * contribution's marginal value, train the served adapter on every contribution of positive value, store the
 * adapter and the attribution record under their 0G roots, and sign the EIP-712 result.
 * Submitting is separate (`submitResultOnce`) so a crash between the two never double-submits.
 */
export async function runForgeEval(p: RunForgeEvalParameters): Promise<RunForgeEvalReturnType> {
  const status = await getForgeStatus(p.ctx, p.forge);
  if (status.phase !== "Closed") throw new Error(`Forge ${p.forge} is ${status.phase}; an eval runs only while it is Closed.`);
  if (status.config.baseModelRoot.toLowerCase() !== p.base.root.toLowerCase()) {
    throw new Error(`The base model's root ${p.base.root} is not the Forge's ${status.config.baseModelRoot}; refusing to evaluate another model.`);
  }

  // 1. Contributions, fetched by root, re-hashed and opened in the enclave for their on-chain
  //    binding; bad ones (plaintext, unbound, tampered, mis-declared) excluded with their reason.
  const contributions = await collectDataContributions({ ctx: p.ctx, forge: p.forge, store: p.store, openContribution: (envelope, expected) => p.enclave.openContribution(envelope, expected) });
  const examples = new Map<string, ScoredSequence>();
  for (const c of contributions) {
    if (c.status !== "included") continue;
    const tokenized = tokenizeContribution(p.tokenizer, c.examples, c.exampleHashes, p.engine.maxSequenceLength);
    if (!tokenized.ok) {
      Object.assign(c, { status: "excluded", reason: tokenized.reason });
      continue;
    }
    tokenized.sequences.forEach((s) => examples.set(s.id, s));
  }
  excludeWholeDuplicates(contributions);
  const included = contributions.filter((c) => c.status === "included");
  const exclusions = contributions.filter((c) => c.status !== "included").map((c) => ({ dataId: c.dataId, root: c.root, reason: c.reason ?? "excluded" }));
  p.onEvent?.({ kind: "contributions", included: included.length, excluded: exclusions.length, exclusions });

  // 2. The holdout, opened in the enclave; only its token ids reach the scorer.
  const holdoutExamples = await openSealedHoldout({
    enclave: p.enclave,
    store: p.store,
    holdoutRoot: status.config.holdoutRoot,
    expectedExamples: status.config.holdoutExamples,
    info: p.holdoutInfo,
  });
  const holdout = holdoutExamples.map((e, i) => ({ ...tokenizeExample(p.tokenizer, e), id: `holdout-${i}` }));
  p.onEvent?.({ kind: "holdout", examples: holdout.length, tokens: holdout.reduce((a, s) => a + s.tokens.length, 0) });

  // 3. Coalitions: train through the pool, score on the holdout. Adapters kept by job id.
  const adapterDir = path.join(p.workDir, "adapters");
  await mkdir(adapterDir, { recursive: true });
  const scorer = createHoldoutScorer(p.engine, holdout, p.signal);
  const trained = new Map<Hex, { root: Hex; file: string }>();
  const trainAndStore = async (exampleHashes: readonly string[], seed: string | number) => {
    const sequences = exampleHashes.map((h) => examples.get(h)!);
    const job = planTrainingJob({ forge: p.forge, baseModelRoot: p.base.root, exampleHashes, hyper: { ...p.hyper, seed }, sequences });
    const known = trained.get(job.jobId);
    if (known) return known;
    const file = path.join(adapterDir, `${job.jobId}.gguf`);
    const outcome = await p.pool.train(job, sequences, p.signal ? { signal: p.signal } : undefined);
    await writeFile(file, outcome.adapterBytes);
    const entry = { root: outcome.adapterRoot, file };
    trained.set(job.jobId, entry);
    return entry;
  };
  const utilityInputs = evalUtilityInputs({ baseRoot: p.base.root, holdoutRoot: status.config.holdoutRoot, hyper: p.hyper, engineMode: p.engine.mode });
  const attribution = await attributeContributions({
    contributions: included.map((c) => ({ id: String(c.dataId), exampleHashes: c.exampleHashes, exampleTexts: c.examples })),
    method: p.method,
    trainingSeeds: p.trainingSeeds,
    scoreBase: () => scorer.score(),
    scoreTrained: async (hashes, seed) => scorer.score((await trainAndStore(hashes, seed)).file),
    ...(p.model
      ? { inRun: createInRunRunner({ model: p.model, examples, holdout, hyper: p.hyper, features: p.inRunPool?.features ?? localInRunFeatures(p.model), ...(p.signal ? { signal: p.signal } : {}) }) }
      : {}),
    utilityInputs,
    cacheDirectory: path.join(p.workDir, "utilities"),
    onProgress: (done, total) => p.onEvent?.({ kind: "coalition", done, total }),
    ...(p.signal ? { signal: p.signal } : {}),
  });

  // 4. The Ingot's adapter (trainServedAdapter): the in-run pass's own run when the method serves it,
  //    taken from the pass's last checkpoint (checkpointAt "end": no training) or else from the
  //    pool's plain training of the same job (the calibration's full coalition); otherwise a
  //    training on the contributions of positive value. The pass's run must be the adapter the
  //    in-run pool verified.
  const trainServed = async (exampleHashes: readonly string[], seed: string | number) => {
    const pass = attribution.servedAdapter ? p.inRunPool?.record()[0] : undefined;
    const own = attribution.servedAdapter?.adapter;
    const check = (hash: string) => {
      if (pass && hash !== pass.accepted.adapterHash) {
        throw new Error(`The served adapter (hash ${hash}) is not the in-run pass's verified run (${pass.accepted.adapterHash}); the in-run job and its adapter disagree, so re-run the eval with full verification.`);
      }
    };
    if (own) {
      check(`0x${hashAdapter(own)}`);
      const job = planTrainingJob({ forge: p.forge, baseModelRoot: p.base.root, exampleHashes, hyper: { ...p.hyper, seed }, sequences: exampleHashes.map((h) => examples.get(h)!) });
      const bytes = passAdapterBytes({ adapter: own, job });
      const { root } = await p.store.put(bytes);
      const file = path.join(adapterDir, `${job.jobId}.gguf`);
      await writeFile(file, bytes);
      return { root, file };
    }
    const adapter = await trainAndStore(exampleHashes, seed);
    if (pass) check(`0x${hashAdapter(ggufToLoraAdapter(new Uint8Array(await readFile(adapter.file))))}`);
    return adapter;
  };
  const { adapterRoot, perplexityBefore, perplexityAfter } = await trainServedAdapter({ attribution, seed: p.trainingSeeds[0], scorer, train: trainServed });
  p.onEvent?.({ kind: "final-adapter", adapterRoot, perplexityBefore, perplexityAfter });

  // 5. Scores by data id (excluded and duplicates 0), verified work by compute id.
  const byId = new Map(attribution.scoreVector.entries.map((e) => [e.id, e]));
  const scores = contributions.map((c) => (c.status === "excluded" ? 0n : (byId.get(String(c.dataId))?.score ?? 0n)));
  const values = contributions.map((c) => byId.get(String(c.dataId))?.value ?? 0);
  const computeCount = Number(status.contributions.compute);
  const credits = new Map(p.pool.credits().map((c) => [c.computeId, c.trainedTokens]));
  const excludedComputeIds = new Set((p.excludedCompute ?? []).map((e) => e.computeId));
  const inRunCredits = p.inRunPool?.credits() ?? new Map<number, number>();
  const computeWork = Array.from({ length: computeCount }, (_, i) => (excludedComputeIds.has(i) ? 0n : BigInt((credits.get(i) ?? 0) + (inRunCredits.get(i) ?? 0))));
  // Every excluded entry forfeits its bond (see excludedEntries).
  const { excludedData, excludedCompute } = excludedEntries({ contributions, excludedCompute: p.excludedCompute, computeCount });

  // 6. The attribution record, stored under its root; its root goes on-chain.
  const evalConfig = { pipeline: EVAL_PIPELINE_VERSION, hyper: p.hyper, trainingSeeds: p.trainingSeeds, method: p.method, engineMode: p.engine.mode, publicSeed: p.publicSeed };
  const evalConfigHash = keccak256(toBytes(hashInputs(evalConfig)));
  const chainId = await p.ctx.publicClient.getChainId();
  const log = buildAttributionLog({
    chainId,
    forge: p.forge,
    config: status.config,
    base: p.base,
    contributions,
    attribution,
    values,
    scores,
    pool: p.pool,
    computeWork,
    excludedCompute: [...(p.excludedCompute ?? [])].sort((a, b) => a.computeId - b.computeId),
    ...(p.inRunPool ? { inRunJobs: p.inRunPool.record() } : {}),
    enclave: p.enclave.describe(),
    evalConfig,
    evalConfigHash,
    adapterRoot,
    perplexityBefore,
    perplexityAfter,
    holdout: { examples: holdout.length, tokens: holdout.reduce((a, s) => a + s.tokens.length, 0) },
  });
  const logBytes = new TextEncoder().encode(JSON.stringify(log, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
  const { root: attributionLogRoot } = await p.store.put(logBytes);

  const now = (await p.ctx.publicClient.getBlock()).timestamp;
  const ttl = p.resultTtlSeconds ?? 3600n;
  const deadline = now + ttl < status.config.evalDeadline ? now + ttl : status.config.evalDeadline - 1n;
  const result: EvalResult = {
    forge: p.forge,
    holdoutRoot: status.config.holdoutRoot,
    baseModelRoot: status.config.baseModelRoot,
    adapterRoot,
    metricBefore: toFixed18(perplexityBefore),
    metricAfter: toFixed18(perplexityAfter),
    dataIds: contributions.map((c) => BigInt(c.dataId)),
    dataScores: scores,
    computeIds: computeWork.map((_, i) => BigInt(i)),
    computeWork,
    excludedData,
    excludedCompute,
    attributionLogRoot,
    evalConfigHash,
    deadline,
  };
  const signature = await p.enclave.signTypedData(evalResultTypedData(chainId, result) as never);
  await persistResult(p.workDir, result, signature);
  return { result, signature, log, contributions, perplexityBefore, perplexityAfter, values };
}

async function persistResult(workDir: string, result: EvalResult, signature: Hex) {
  const file = path.join(workDir, "signed-result.json");
  await writeFile(file, JSON.stringify({ result, signature }, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
}
