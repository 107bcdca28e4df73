import { createHoldoutScorer } from "../pipeline/createHoldoutScorer.js";
import { checkContribution, type OpenContribution } from "../pipeline/checkContribution.js";
import { excludeWholeDuplicates } from "../pipeline/excludeWholeDuplicates.js";
import { trainServedAdapter } from "../pipeline/trainServedAdapter.js";
import { passAdapterBytes } from "../pipeline/passAdapterBytes.js";
import { tokenizeContribution } from "../pipeline/tokenizeContribution.js";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { keccak256, toBytes, type Address, type Hex } from "viem";
import { attributeContributions, type AttributionMethod } from "../eval/attribution/attributeContributions.js";
import { hashInputs } from "../eval/attribution/hashInputs.js";
import { createInRunRunner } from "../eval/attribution/createInRunRunner.js";
import { parseDatasetJsonlStrict } from "../eval/dataset/parseDatasetJsonlStrict.js";
import type { DatasetExample } from "../eval/dataset/types.js";
import { tokenizeExample } from "../eval/dataset/tokenizeExample.js";
import { createScoringEngine, type ScoringMode } from "../eval/engine/createScoringEngine.js";
import { ggufToModel } from "../eval/model/ggufToModel.js";
import { createTokenizer } from "../eval/tokenizer/createTokenizer.js";
import type { LoraHyperParameters, ScoredSequence } from "../eval/train/types.js";
import { planTrainingJob } from "../compute/planTrainingJob.js";
import { createReexecutor } from "../compute/createReexecutor.js";
import type { ComputePoolRecord } from "../compute/createComputePool.js";
import { ATTRIBUTION_LOG_VERSION } from "../pipeline/buildAttributionLog.js";
import { EVAL_PIPELINE_VERSION, evalUtilityInputs } from "../pipeline/evalUtilityInputs.js";
import { computeContentRoot } from "../storage/computeContentRoot.js";
import type { ContentStore } from "../storage/types.js";
import { ReplayError } from "./errors.js";

/** The parts of a stored attribution record that replay reads (JSON: bigints are strings). */
interface StoredAttributionLog {
  version: string;
  chainId: number;
  forge: Address;
  baseModel: { root: Hex };
  holdout: { root: Hex; examples: number };
  evalConfig: { pipeline: string; hyper: Omit<LoraHyperParameters, "seed">; trainingSeeds: (string | number)[]; method: AttributionMethod; engineMode: ScoringMode; publicSeed: Hex };
  evalConfigHash: Hex;
  contributions: { dataId: number; contributor: Address; root: Hex; sizeBytes: number; exampleCount: number; status: "included" | "excluded"; reason?: string; exampleHashes: string[]; value: number; score: string }[];
  compute: { jobs: ComputePoolRecord };
  result: { adapterRoot: Hex; perplexityBefore: number; perplexityAfter: number };
}

export interface ReplayAttributionParameters {
  store: ContentStore;
  /** The record's 0G root, as the Forge's ResultAccepted event and the Ingot name it. */
  attributionLogRoot: Hex;
  /** Decrypts the sealed holdout: whoever holds its key (the enclave, or the creator's copy of the key). */
  openHoldout: (envelope: Uint8Array) => Promise<Uint8Array>;
  /** Opens each sealed contribution for its recorded binding: the enclave (Enclave.openContribution), or whoever holds its HPKE key. */
  openContribution: OpenContribution;
  /** Scratch space for the base GGUF and adapters. */
  workDir: string;
  /**
   * Score the adapters the record names (from the store) instead of training them again. Faster,
   * but it then checks the scoring only; by default every adapter is re-trained (deterministic).
   */
  reuseAdapters?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** llama.cpp threads for scoring (default defaultThreads(); entry points pass resolveThreads). */
  threads?: number;
}

export interface ContributionReplay {
  dataId: number;
  recorded: { status: string; reason?: string; value: number; score: string };
  replayed: { status: string; reason?: string; value: number; score: string };
  /** Status, example hashes, value and score all equal, bit for bit. */
  matches: boolean;
}

export interface ReplayAttributionReturnType {
  /** Every contribution, the adapter root and both perplexities match exactly. */
  matches: boolean;
  forge: Address;
  contributions: ContributionReplay[];
  adapterRoot: { recorded: Hex; replayed: Hex; matches: boolean };
  perplexity: { recordedBefore: number; replayedBefore: number; recordedAfter: number; replayedAfter: number; matches: boolean };
  /** Adapters trained here / taken from the store. */
  trainings: number;
  adaptersReused: number;
}

/**
 * Recompute an eval from its attribution record and the inputs it names: the base model and each
 * contribution by root (re-hashed by the store), the holdout opened with its key. Everything runs
 * on the same engine build and the same deterministic trainer as the coordinator, so an honest
 * record replays bit for bit: each contribution's status, value and score, the final adapter's
 * root and the perplexities are compared exactly, not within a tolerance.
 */
export async function replayAttribution(p: ReplayAttributionParameters): Promise<ReplayAttributionReturnType> {
  const log = await readRecord(p.store, p.attributionLogRoot);
  const cfg = log.evalConfig;
  if (cfg.pipeline !== EVAL_PIPELINE_VERSION) throw new ReplayError(`The record was made by eval pipeline ${cfg.pipeline}; this build runs ${EVAL_PIPELINE_VERSION}. Replay it with that version.`);
  const configHash = keccak256(toBytes(hashInputs(cfg)));
  if (configHash !== log.evalConfigHash) throw new ReplayError(`The record's evalConfig hashes to ${configHash}, not its evalConfigHash ${log.evalConfigHash}: it was altered.`);

  await mkdir(path.join(p.workDir, "adapters"), { recursive: true });
  const baseBytes = await p.store.get(log.baseModel.root);
  const basePath = path.join(p.workDir, "base.gguf");
  await writeFile(basePath, baseBytes);
  const model = ggufToModel(baseBytes);
  const tokenizer = createTokenizer(model.tokenizer);
  const engine = await createScoringEngine({ modelPath: basePath, mode: cfg.engineMode, ...(p.threads !== undefined ? { threads: p.threads } : {}) });
  try {
    // Contributions, checked by the same code as the coordinator, against the record's on-chain facts.
    const examples = new Map<string, ScoredSequence>();
    const replayed: { dataId: number; status: "included" | "excluded"; reason?: string; exampleHashes: string[]; examples: DatasetExample[] }[] = [];
    for (const c of log.contributions) {
      const excluded = (reason: string) => replayed.push({ dataId: c.dataId, status: "excluded", reason, exampleHashes: [], examples: [] });
      const binding = { chainId: log.chainId, forge: log.forge, contributor: c.contributor };
      const checked = await checkContribution({ store: p.store, dataId: c.dataId, root: c.root, sizeBytes: c.sizeBytes, exampleCount: c.exampleCount, binding, openContribution: p.openContribution });
      if (!checked.ok) {
        excluded(checked.reason);
        continue;
      }
      const hashes = checked.exampleHashes;
      const tokenized = tokenizeContribution(tokenizer, checked.examples, hashes, engine.maxSequenceLength);
      if (!tokenized.ok) {
        excluded(tokenized.reason);
        continue;
      }
      const sequences = tokenized.sequences;
      sequences.forEach((s) => examples.set(s.id, s));
      replayed.push({ dataId: c.dataId, status: "included", exampleHashes: hashes, examples: checked.examples });
    }
    excludeWholeDuplicates(replayed);
    const included = replayed.filter((c) => c.status === "included");

    const envelope = await p.store.get(log.holdout.root);
    const plaintext = await p.openHoldout(envelope);
    const holdoutExamples = parseDatasetJsonlStrict(plaintext, { source: "sealed holdout" });
    plaintext.fill(0);
    if (holdoutExamples.length !== log.holdout.examples) throw new ReplayError(`The holdout has ${holdoutExamples.length} examples; the record says ${log.holdout.examples}.`);
    const holdout = holdoutExamples.map((e, i) => ({ ...tokenizeExample(tokenizer, e), id: `holdout-${i}` }));

    const recordedAdapters = new Map(log.compute.jobs.jobs.map((j) => [j.job.jobId, j.outcome.adapterRoot]));
    const reexecute = createReexecutor({ store: p.store, model, baseModelRoot: log.baseModel.root });
    const adapters = new Map<Hex, { root: Hex; file: string }>();
    let trainings = 0;
    let adaptersReused = 0;
    const adapterFor = async (exampleHashes: readonly string[], seed: string | number) => {
      const sequences = exampleHashes.map((h) => examples.get(h)!);
      const job = planTrainingJob({ forge: log.forge, baseModelRoot: log.baseModel.root, exampleHashes, hyper: { ...cfg.hyper, seed }, sequences });
      const known = adapters.get(job.jobId);
      if (known) return known;
      let bytes: Uint8Array;
      const recorded = recordedAdapters.get(job.jobId);
      if (p.reuseAdapters && recorded) {
        bytes = await p.store.get(recorded);
        adaptersReused++;
      } else {
        bytes = (await reexecute(job, sequences, p.signal ? { signal: p.signal } : {})).adapterBytes;
        trainings++;
      }
      const entry = { root: await computeContentRoot(bytes), file: path.join(p.workDir, "adapters", `${job.jobId}.gguf`) };
      await writeFile(entry.file, bytes);
      adapters.set(job.jobId, entry);
      return entry;
    };
    const scorer = createHoldoutScorer(engine, holdout, p.signal);
    const attribution = await attributeContributions({
      contributions: included.map((c) => ({ id: String(c.dataId), exampleHashes: c.exampleHashes, exampleTexts: c.examples })),
      method: cfg.method,
      trainingSeeds: cfg.trainingSeeds,
      scoreBase: () => scorer.score(),
      scoreTrained: async (hashes, seed) => scorer.score((await adapterFor(hashes, seed)).file),
      // In-run values are recomputed here from scratch (training, features and holdout gradients
      // are all deterministic), so they replay bit for bit like every other method's.
      inRun: createInRunRunner({ model, examples, holdout, hyper: cfg.hyper, ...(p.signal ? { signal: p.signal } : {}) }),
      utilityInputs: evalUtilityInputs({ baseRoot: log.baseModel.root, holdoutRoot: log.holdout.root, hyper: cfg.hyper, engineMode: engine.mode }),
      ...(p.onProgress ? { onProgress: p.onProgress } : {}),
      ...(p.signal ? { signal: p.signal } : {}),
    });

    // As runForgeEval: the served adapter is trained on the contributions of positive value.
    // The in-run pass's own adapter when it handed one over (checkpointAt "end"): the same bytes as the run's.
    const servedFor = async (exampleHashes: readonly string[], seed: string | number) => {
      const own = attribution.servedAdapter?.adapter;
      if (!own) return adapterFor(exampleHashes, seed);
      const job = planTrainingJob({ forge: log.forge, baseModelRoot: log.baseModel.root, exampleHashes, hyper: { ...cfg.hyper, seed }, sequences: exampleHashes.map((h) => examples.get(h)!) });
      const bytes = passAdapterBytes({ adapter: own, job });
      const entry = { root: await computeContentRoot(bytes), file: path.join(p.workDir, "adapters", `${job.jobId}.gguf`) };
      await writeFile(entry.file, bytes);
      return entry;
    };
    const { adapterRoot, perplexityBefore, perplexityAfter } = await trainServedAdapter({ attribution, seed: cfg.trainingSeeds[0], scorer, train: servedFor });

    const byId = new Map(attribution.scoreVector.entries.map((e) => [e.id, e]));
    const contributions: ContributionReplay[] = log.contributions.map((rec, i) => {
      const rep = replayed[i];
      const entry = byId.get(String(rec.dataId));
      const mine = { status: rep.status, ...(rep.reason ? { reason: rep.reason } : {}), value: entry?.value ?? 0, score: String(entry?.score ?? 0n) };
      const sameHashes = rep.status !== "included" || JSON.stringify(rep.exampleHashes) === JSON.stringify(rec.exampleHashes);
      return {
        dataId: rec.dataId,
        recorded: { status: rec.status, ...(rec.reason ? { reason: rec.reason } : {}), value: rec.value, score: String(rec.score) },
        replayed: mine,
        matches: rec.status === mine.status && sameHashes && Object.is(rec.value, mine.value) && String(rec.score) === mine.score,
      };
    });
    const adapterMatches = adapterRoot.toLowerCase() === log.result.adapterRoot.toLowerCase();
    const ppl = {
      recordedBefore: log.result.perplexityBefore,
      replayedBefore: perplexityBefore,
      recordedAfter: log.result.perplexityAfter,
      replayedAfter: perplexityAfter,
      matches: log.result.perplexityBefore === perplexityBefore && log.result.perplexityAfter === perplexityAfter,
    };
    return {
      matches: contributions.every((c) => c.matches) && adapterMatches && ppl.matches,
      forge: log.forge,
      contributions,
      adapterRoot: { recorded: log.result.adapterRoot, replayed: adapterRoot, matches: adapterMatches },
      perplexity: ppl,
      trainings,
      adaptersReused,
    };
  } finally {
    await engine.dispose();
  }
}

async function readRecord(store: ContentStore, root: Hex): Promise<StoredAttributionLog> {
  const bytes = await store.get(root);
  let log: StoredAttributionLog;
  try {
    log = JSON.parse(new TextDecoder().decode(bytes)) as StoredAttributionLog;
  } catch (cause) {
    throw new ReplayError(`The content under ${root} is not a JSON attribution record.`, { cause });
  }
  if (log?.version !== ATTRIBUTION_LOG_VERSION) throw new ReplayError(`The content under ${root} is not an attribution record of version ${ATTRIBUTION_LOG_VERSION} (found ${String(log?.version)}).`);
  return log;
}
