import { access, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { Address, Hash, Hex } from "viem";
import type { CoordinatorConfig } from "../config/coordinatorConfigSchema.js";
import type { EvalResult, ProtocolContext } from "../chain/types.js";
import { PHASES, type ForgePhase } from "../chain/types.js";
import { getForgeStatus } from "../chain/getForgeStatus.js";
import { readComputeRegistrations, type RegisteredCompute } from "../chain/readComputeRegistrations.js";
import { checkComputeRegistrations, type ExcludedCompute } from "./checkComputeRegistrations.js";
import type { Enclave } from "../enclave/types.js";
import type { ContentStore } from "../storage/types.js";
import type { ComputeWorker } from "../compute/types.js";
import type { VerificationConfig } from "../compute/isJobAudited.js";
import { createComputePool } from "../compute/createComputePool.js";
import { createReexecutor } from "../compute/createReexecutor.js";
import type { AttributionMethod } from "../eval/attribution/attributeContributions.js";
import { DEFAULT_ATTRIBUTION_METHOD } from "../eval/attribution/resolveAttributionMethod.js";
import { createInRunFeaturePool } from "../compute/inRun/createInRunFeaturePool.js";
import { isInRunWorker } from "../compute/inRun/isInRunWorker.js";
import type { InRunFeaturesListener, InRunResultKeyFor, InRunWorker } from "../compute/inRun/types.js";
import type { LoraHyperParameters } from "../eval/train/types.js";
import type { Qwen2Model } from "../eval/model/types.js";
import { ggufToModel } from "../eval/model/ggufToModel.js";
import { createTokenizer } from "../eval/tokenizer/createTokenizer.js";
import { createScoringEngine } from "../eval/engine/createScoringEngine.js";
import { DEMO_LORA_HYPER } from "../eval/demo/demoLoraHyper.js";
import { DEFAULT_HOLDOUT_INFO } from "../sealing/holdoutSuite.js";
import { ensureEnclaveRegistered } from "../pipeline/ensureEnclaveRegistered.js";
import { runForgeEval } from "../pipeline/runForgeEval.js";
import { submitResultOnce } from "../pipeline/submitResultOnce.js";
import { nobodyEarnedAShare } from "../pipeline/nobodyEarnedAShare.js";
import { createProgress, type Progress } from "../util/progress.js";
import { createJournaledPool } from "./createJournaledPool.js";
import { createResultCachingWorker } from "./createResultCachingWorker.js";
import { discardInRunFeatures } from "./discardInRunFeatures.js";
import { recordInRunFeatures } from "./recordInRunFeatures.js";
import { findWindowCloseBlock } from "./findWindowCloseBlock.js";
import { loadServiceState, saveServiceState, type ForgeRecord, type ForgeStatusUpdate, type ServiceState } from "./serviceState.js";
import { sleep } from "../util/sleep.js";
import { ServiceError } from "./errors.js";
import { createWaitReporter } from "../util/createWaitReporter.js";

export type { RegisteredCompute } from "../chain/readComputeRegistrations.js";

/** The eval's knobs; every one is written into the attribution record (evalConfig). */
export interface ServiceEvalSettings {
  hyper: Omit<LoraHyperParameters, "seed">;
  trainingSeeds: readonly (string | number)[];
  method: AttributionMethod;
  verification: VerificationConfig;
  holdoutInfo: string;
  resultTtlSeconds: bigint;
}

export const DEFAULT_EVAL_SETTINGS: ServiceEvalSettings = {
  hyper: DEMO_LORA_HYPER,
  trainingSeeds: [1, 2],
  method: DEFAULT_ATTRIBUTION_METHOD,
  verification: { policy: "sample", fraction: 0.25 },
  holdoutInfo: DEFAULT_HOLDOUT_INFO,
  resultTtlSeconds: 3600n,
};

export type ServiceEvent =
  | { kind: "forge-seen"; forge: Address; block: bigint }
  | { kind: "eval-started"; forge: Address; publicSeed: Hex; attempt: number }
  | { kind: "coalition"; forge: Address; done: number; total: number }
  | { kind: "submitted"; forge: Address; ingotId: bigint; txHash: Hash | null }
  | { kind: "failed"; forge: Address; reason: string }
  | { kind: "eval-error"; forge: Address; attempt: number; error: string };

export interface CreateCoordinatorServiceParameters {
  config: CoordinatorConfig;
  logger: Logger;
  ctx: ProtocolContext;
  enclave: Enclave;
  store: ContentStore;
  /**
   * The workers that train a Forge's jobs, given those registered on-chain (e.g. a file-queue
   * client per registered key). None: the coordinator trains every job itself, crediting no one.
   * Remote in-run workers' clients get `resultKey` (the enclave's in-run result keys, the same
   * after a restart) and report the features envelopes they opened to `onInRunFeatures` (removed
   * from the local store once the Forge's result is submitted: discardInRunFeatures).
   */
  workersFor?: (p: {
    forge: Address;
    registered: RegisteredCompute[];
    model: Qwen2Model;
    baseModelRoot: Hex;
    resultKey: InRunResultKeyFor;
    onInRunFeatures: InRunFeaturesListener;
  }) => ComputeWorker[] | Promise<ComputeWorker[]>;
  eval?: Partial<ServiceEvalSettings>;
  /** Between polls of the chain (default 2000 ms). */
  pollIntervalMs?: number;
  /** Failed eval attempts of one Forge before it is marked failed (default 3); retries back off. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt (default 30 s). */
  retryDelayMs?: number;
  /** llama.cpp threads for holdout scoring (default defaultThreads(); main.ts passes resolveThreads). */
  threads?: number;
  /** Between "still waiting" lines for one wait (a Forge, a window, confirmations, a worker, an eval step; default 30 s). */
  waitLogIntervalMs?: number;
  /** Block to start reading ForgeCreated from on a fresh data dir (default 0). */
  startBlock?: bigint;
  onEvent?: (e: ServiceEvent) => void;
}

export interface CoordinatorService {
  /** Register the enclave (once) and load the state file. Called by poll/run when needed. */
  start(): Promise<void>;
  /** One pass: read ForgeCreated up to the confirmed head, then act on every Forge that is ready. */
  poll(signal?: AbortSignal): Promise<void>;
  /** Poll until `signal` aborts; a running eval stops between steps, its finished work kept. */
  run(signal: AbortSignal): Promise<void>;
  /** A copy of the state as last saved. */
  state(): ServiceState;
  readonly stateFile: string;
}

/**
 * The coordinator as a long-running service. It reads the factory's ForgeCreated events and each
 * Forge's phase at the head minus `confirmations` (so a reorg shallower than that never makes it
 * act on a Forge or a phase that then disappears), and when a Forge is Closed there it evaluates
 * inside the enclave (runForgeEval, with the public seed = hash of the first block at or after
 * windowEnd) and submits once. Restart-safe: `<dataDir>/coordinator-state.json` records the last
 * processed block and each Forge's status; an eval's trained jobs, scored coalitions and signed
 * result live under `<dataDir>/forges/<forge>/`, so a restart resumes without redoing finished
 * work and without a second submission.
 */
export function createCoordinatorService(p: CreateCoordinatorServiceParameters): CoordinatorService {
  const settings: ServiceEvalSettings = { ...DEFAULT_EVAL_SETTINGS, ...p.eval };
  const log = p.logger.child({ component: "coordinator" });
  const stateFile = path.join(p.config.dataDir, "coordinator-state.json");
  const pollMs = p.pollIntervalMs ?? 2000;
  const maxAttempts = p.maxAttempts ?? 3;
  const retryDelayMs = p.retryDelayMs ?? 30_000;
  const emit = (e: ServiceEvent) => p.onEvent?.(e);
  let state: ServiceState | undefined;
  let started: Promise<void> | undefined;
  const nextAttemptAt = new Map<string, number>();
  const waitLogIntervalMs = p.waitLogIntervalMs ?? 30_000;
  const waits = createWaitReporter({ logger: log, intervalMs: waitLogIntervalMs });
  /** When each waiting Forge's status was last read for the wait lines (at most once per interval: it costs a few RPC calls). */
  const forgeWaitReadAt = new Map<string, number>();

  const save = async () => saveServiceState(stateFile, state!);
  const setForge = async (forge: Address, update: ForgeStatusUpdate) => {
    const key = forge.toLowerCase();
    const prev = state!.forges[key];
    state!.forges[key] = { forge, createdBlock: prev?.createdBlock ?? "0", updatedAt: new Date().toISOString(), ...update } as ForgeRecord;
    await save();
  };

  async function start() {
    started ??= (async () => {
      const chainId = await p.ctx.publicClient.getChainId();
      if (chainId !== p.config.chainId) throw new Error(`The RPC node is on chain ${chainId}, but the config says ${p.config.chainId}; fix rpcUrl or chainId.`);
      const factory = p.ctx.addresses.factory;
      const code = await p.ctx.publicClient.getCode({ address: factory });
      if (!code || code === "0x") {
        throw new ServiceError(`The node at rpcUrl (chain ${chainId}) has no contract at the factory address ${factory}.`, {
          hint: "Deploy the protocol on this node (README: deployment), or point the coordinator at the deployment's addresses and node.",
        });
      }
      const [genesis, head] = await Promise.all([p.ctx.publicClient.getBlock({ blockNumber: 0n }), p.ctx.publicClient.getBlockNumber()]);
      state = await loadServiceState(stateFile, { chainId, factory, genesisHash: genesis.hash, head, ...(p.startBlock !== undefined ? { startBlock: p.startBlock } : {}) });
      await save();
      const reg = await ensureEnclaveRegistered(p.ctx, p.enclave);
      log.info({ enclave: p.enclave.describe(), alreadyRegistered: reg.alreadyRegistered, expiresAt: String(reg.expiresAt), stateFile }, "coordinator started");
    })();
    try {
      await started;
    } catch (error) {
      started = undefined;
      throw error;
    }
  }

  async function poll(signal?: AbortSignal) {
    await start();
    const head = await p.ctx.publicClient.getBlockNumber();
    const safe = head - BigInt(p.config.confirmations);
    if (safe < 0n) {
      waits.waiting("chain", `block ${p.config.confirmations} (the node is at block ${head}; confirmations: ${p.config.confirmations})`);
      return;
    }
    waits.done("chain");
    const from = BigInt(state!.lastProcessedBlock) + 1n;
    if (safe >= from) {
      const created = await p.ctx.publicClient.getContractEvents({
        address: p.ctx.addresses.factory,
        abi: p.ctx.abis.ForgeFactory,
        eventName: "ForgeCreated",
        fromBlock: from,
        toBlock: safe,
        strict: true,
      });
      for (const e of created) {
        const forge = (e.args as { forge: Address }).forge;
        const key = forge.toLowerCase();
        if (state!.forges[key]) continue;
        state!.forges[key] = { forge, createdBlock: String(e.blockNumber), updatedAt: new Date().toISOString(), status: "seen" };
        log.info({ forge, block: String(e.blockNumber) }, "Forge seen");
        emit({ kind: "forge-seen", forge, block: e.blockNumber });
      }
      state!.lastProcessedBlock = String(safe);
      await save();
    }
    const active = Object.values(state!.forges).filter((r) => r.status === "seen" || r.status === "evaluating");
    if (active.length === 0) waits.waiting("forges", `a Forge to evaluate (factory ${p.ctx.addresses.factory}; read up to block ${safe} = head ${head} − ${p.config.confirmations} confirmations)`);
    else waits.done("forges");
    for (const record of active) {
      if (signal?.aborted) return;
      await actOn(record, safe, signal);
    }
  }

  /** Say why a Forge not yet Closed at the confirmed block is not evaluated: its window is open, or it closed too recently. */
  async function reportForgeWait(forge: Address, safe: bigint) {
    const id = forge.toLowerCase();
    const readAt = forgeWaitReadAt.get(id);
    if (readAt !== undefined && Date.now() - readAt < waitLogIntervalMs) return;
    forgeWaitReadAt.set(id, Date.now());
    const status = await getForgeStatus(p.ctx, forge);
    if (status.phase === "Pending" || status.phase === "Open") {
      const end = status.config.windowEnd;
      waits.waiting(`window:${id}`, `Forge ${forge}'s window to close at ${end} (${new Date(Number(end) * 1000).toISOString()}; ${end > status.now ? end - status.now : 0n} s after the head's timestamp)`, { forge });
      return;
    }
    const confirmations = p.config.confirmations;
    waits.done(`window:${id}`, { forge });
    waits.waiting(
      `confirmations:${id}`,
      `blocks on top of Forge ${forge}: its window has closed at the head, but the coordinator acts ${confirmations} confirmations deep (block ${safe}), so up to ${confirmations} more blocks must be mined (a node that mines only on transactions needs some sent)`,
      { forge },
    );
  }

  async function actOn(record: ForgeRecord, safe: bigint, signal?: AbortSignal) {
    const forge = record.forge;
    const phaseIndex = (await p.ctx.publicClient.readContract({ address: forge, abi: p.ctx.abis.Forge, functionName: "phase", blockNumber: safe })) as number;
    const phase: ForgePhase = PHASES[phaseIndex];
    if (phase === "Pending" || phase === "Open") {
      await reportForgeWait(forge, safe);
      return;
    }
    waits.done(`window:${forge.toLowerCase()}`, { forge });
    waits.done(`confirmations:${forge.toLowerCase()}`, { forge });
    if (phase === "Live") {
      await recordAlreadyLive(forge);
      return;
    }
    if (phase === "Failed") {
      const reason = "the eval deadline passed before a result was accepted; capital is refundable";
      await discardInRunFeaturesOf(forge);
      await setForge(forge, { status: "failed", reason });
      log.warn({ forge }, reason);
      emit({ kind: "failed", forge, reason });
      return;
    }
    const retryAt = nextAttemptAt.get(forge.toLowerCase());
    if (retryAt !== undefined && Date.now() < retryAt) return;
    const attempt = (record.status === "evaluating" ? record.attempts : 0) + 1;
    try {
      await evaluate(forge, safe, attempt, signal);
    } catch (error) {
      if (signal?.aborted) {
        log.info({ forge }, "eval stopped; finished trainings and scores are kept for the restart");
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      emit({ kind: "eval-error", forge, attempt, error: message });
      if (attempt >= maxAttempts) {
        const reason = `eval failed ${attempt} times; last error: ${message}`;
        await setForge(forge, { status: "failed", reason });
        log.error({ forge, err: error }, "eval failed; giving up on this Forge");
        emit({ kind: "failed", forge, reason });
      } else {
        const delay = retryDelayMs * 2 ** (attempt - 1);
        nextAttemptAt.set(forge.toLowerCase(), Date.now() + delay);
        await setForge(forge, { status: "evaluating", attempts: attempt, lastError: message });
        log.warn({ forge, attempt, retryInMs: delay, err: error }, "eval attempt failed; will retry");
      }
    }
  }

  /** The Forge's journal of the sealed in-run features its workers' clients opened (recordInRunFeatures). */
  function inRunFeaturesFile(forge: Address): string {
    return path.join(p.config.dataDir, "forges", forge.toLowerCase(), "in-run-features.jsonl");
  }

  /**
   * The result is on-chain (or the Forge failed for good), so nothing needs its sealed in-run
   * features any more (a restart re-runs the eval from them only before that; replay recomputes
   * them): remove them from the local store. Called before the Forge's record leaves
   * "evaluating", so a crash in between is retried on the next start. A failure costs disk space
   * only, so it is logged, not thrown.
   */
  async function discardInRunFeaturesOf(forge: Address): Promise<void> {
    try {
      await discardInRunFeatures({ file: inRunFeaturesFile(forge), store: p.store, logger: log.child({ forge }) });
    } catch (error) {
      log.warn({ forge, err: error, journal: inRunFeaturesFile(forge) }, "could not remove the Forge's sealed in-run features from the store; they only take space: remove the roots listed in the journal by hand");
    }
  }

  /** A result was accepted already (ours, sent before a crash, or another coordinator's): record its transaction. */
  async function recordAlreadyLive(forge: Address) {
    const ingotId = (await p.ctx.publicClient.readContract({ address: forge, abi: p.ctx.abis.Forge, functionName: "ingotId" })) as bigint;
    const accepted = await p.ctx.publicClient.getContractEvents({ address: forge, abi: p.ctx.abis.Forge, eventName: "ResultAccepted", fromBlock: 0n, strict: true });
    const txHash = accepted[0]?.transactionHash ?? null;
    const attributionLogRoot = (accepted[0]?.args as { attributionLogRoot?: Hex } | undefined)?.attributionLogRoot;
    await discardInRunFeaturesOf(forge);
    await setForge(forge, { status: "submitted", ingotId: String(ingotId), txHash, ...(attributionLogRoot ? { attributionLogRoot } : {}), note: "the Forge was already Live when this coordinator looked; nothing sent" });
    log.info({ forge, ingotId: String(ingotId), txHash }, "Forge already Live; recorded its accepted result");
    emit({ kind: "submitted", forge, ingotId, txHash });
  }

  async function evaluate(forge: Address, safe: bigint, attempt: number, signal?: AbortSignal) {
    const flog = log.child({ forge });
    const status = await getForgeStatus(p.ctx, forge);
    // Closed at the confirmed block but Live at the head: our own submission before a crash, not yet buried.
    if (status.phase === "Live") return recordAlreadyLive(forge);
    const measurement = p.enclave.describe().measurement;
    if (measurement && !status.config.allowedMeasurements.some((m) => m.toLowerCase() === measurement.toLowerCase())) {
      throw new Error(`The Forge does not allow this enclave's measurement ${measurement}; its result would be refused.`);
    }
    const workDir = path.join(p.config.dataDir, "forges", forge.toLowerCase());
    await mkdir(workDir, { recursive: true });

    let signed = await readSignedResult(path.join(workDir, "signed-result.json"));
    // A result signed before a crash is submitted as is, while it is still valid for a while.
    if (signed && signed.result.deadline <= status.now + 60n) signed = undefined;
    let attributionLogRoot: Hex;
    if (signed) {
      flog.info({ attributionLogRoot: signed.result.attributionLogRoot }, "found a signed result from before a restart; submitting it");
      attributionLogRoot = signed.result.attributionLogRoot;
    } else {
      const close = await findWindowCloseBlock({ publicClient: p.ctx.publicClient, windowEnd: status.config.windowEnd, upTo: safe });
      const publicSeed = close.hash;
      await setForge(forge, { status: "evaluating", attempts: attempt - 1, publicSeed });
      flog.info({ publicSeed, closeBlock: String(close.number), attempt }, "window closed; evaluating in the enclave");
      emit({ kind: "eval-started", forge, publicSeed, attempt });

      const base = await fetchBaseModel(status.config.baseModelRoot);
      const model = ggufToModel(base.bytes);
      const tokenizer = createTokenizer(model.tokenizer);
      const { accepted: registered, excluded: excludedCompute } = await registeredCompute(forge);
      for (const e of excludedCompute) flog.warn({ computeId: e.computeId, reason: e.reason }, "compute registration excluded");
      const given = p.workersFor
        ? await p.workersFor({
            forge,
            registered,
            model,
            baseModelRoot: status.config.baseModelRoot,
            resultKey: (key) => p.enclave.inRunResultKey(key),
            onInRunFeatures: ({ jobId, computeId, featuresRoot }) => recordInRunFeatures({ file: inRunFeaturesFile(forge), jobId, computeId, featuresRoot }),
          })
        : [];
      const workers = given.map((worker) => {
        const cached = createResultCachingWorker({ worker, dir: path.join(workDir, "worker-results") });
        return {
          ...cached,
          run: (job, sequences, options) =>
            waits.during(`job:${job.jobId}:${worker.computeId}`, () => `worker ${worker.computeId}'s result for job ${job.jobId}`, cached.run(job, sequences, options), { forge, computeId: worker.computeId, jobId: job.jobId }),
        } satisfies ComputeWorker;
      });
      // In-run features (method in-run) from the workers that run them, verified by duplication;
      // with none, the coordinator computes them itself.
      const inRunPool = createInRunFeaturePool({ workers: given.filter((w): w is typeof w & InRunWorker => isInRunWorker(w)), publicSeed, forge, baseModelRoot: status.config.baseModelRoot, model });
      const pool = await createJournaledPool({
        pool: createComputePool({
          workers,
          publicSeed,
          verification: settings.verification,
          reexecute: createReexecutor({ store: p.store, model, baseModelRoot: status.config.baseModelRoot }),
          store: p.store,
          logger: flog,
        }),
        file: path.join(workDir, "jobs.jsonl"),
        store: p.store,
      });
      if (pool.resumed === 0) flog.info({ workers: workers.map((w) => w.computeId), registered: registered.length }, "compute pool ready");
      const engine = await createScoringEngine({ modelPath: base.path, mode: "exact", ...(p.threads !== undefined ? { threads: p.threads } : {}) });
      let progress: Progress | undefined;
      let step = "collecting contributions";
      try {
        const evaluated = await waits.during(`eval:${forge.toLowerCase()}`, () => `the eval of Forge ${forge} (now: ${step})`, runForgeEval({
          ctx: p.ctx,
          forge,
          store: p.store,
          enclave: p.enclave,
          base: { path: base.path, root: status.config.baseModelRoot, name: status.config.baseModelName },
          engine,
          pool,
          excludedCompute,
          tokenizer,
          hyper: settings.hyper,
          trainingSeeds: settings.trainingSeeds,
          method: settings.method,
          model,
          inRunPool,
          publicSeed,
          holdoutInfo: settings.holdoutInfo,
          workDir,
          resultTtlSeconds: settings.resultTtlSeconds,
          onEvent: (e) => {
            if (e.kind === "contributions") {
              flog.info({ included: e.included, excluded: e.excluded }, "contributions collected");
              for (const x of e.exclusions ?? []) flog.warn({ dataId: x.dataId, root: x.root, reason: x.reason }, `contribution #${x.dataId} excluded: ${x.reason}`);
              step = "opening the holdout";
            }
            if (e.kind === "holdout") {
              flog.info({ examples: e.examples, tokens: e.tokens }, "holdout opened in the enclave");
              step = "training and scoring the coalitions";
            }
            if (e.kind === "coalition") {
              step = `coalitions: ${e.done} of ${e.total} scored`;
              progress ??= createProgress({ label: `eval ${forge}`, total: e.total, unit: "coalitions", logger: flog, logIntervalMs: 2000 });
              progress.setTotal(e.total);
              progress.update(e.done);
              emit({ kind: "coalition", forge, done: e.done, total: e.total });
            }
            if (e.kind === "final-adapter") flog.info({ adapterRoot: e.adapterRoot, perplexityBefore: e.perplexityBefore, perplexityAfter: e.perplexityAfter }, "final adapter scored");
          },
          ...(signal ? { signal } : {}),
        }), { forge });
        progress?.finish();
        signed = { result: evaluated.result, signature: evaluated.signature };
        attributionLogRoot = evaluated.result.attributionLogRoot;
      } finally {
        await engine.dispose();
      }
    }
    signal?.throwIfAborted();
    if (nobodyEarnedAShare({ ...signed.result, totalCapital: status.totalCapital })) {
      flog.warn({ creator: status.config.creator }, "nobody earned a share (no data of positive value, no verified compute, no capital): the Ingot goes LIVE held by the creator alone, every share the lineage pool leaves, and its fees are the creator's to claim");
    }
    const submitted = await submitResultOnce(p.ctx, signed.result, signed.signature);
    const txHash = submitted.submitted ? submitted.hash : null;
    // Before the Forge is marked submitted: a crash in between finds it Live on restart, and removes them then.
    await discardInRunFeaturesOf(forge);
    await setForge(forge, { status: "submitted", ingotId: String(submitted.ingotId), txHash, attributionLogRoot, ...(submitted.submitted ? {} : { note: "the Forge was already Live" }) });
    flog.info({ ingotId: String(submitted.ingotId), txHash, attributionLogRoot }, submitted.submitted ? "result submitted; Ingot minted" : "the Forge was already Live; nothing sent");
    emit({ kind: "submitted", forge, ingotId: submitted.ingotId, txHash });
  }

  /** The base GGUF by its root (the store re-hashes it), kept once under `<dataDir>/models/`. */
  async function fetchBaseModel(root: Hex): Promise<{ path: string; bytes: Uint8Array }> {
    const dir = path.join(p.config.dataDir, "models");
    const file = path.join(dir, `${root.toLowerCase()}.gguf`);
    const bytes = await p.store.get(root);
    try {
      await access(file);
    } catch {
      await mkdir(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    }
    return { path: file, bytes };
  }

  /** The registrations whose Ed25519 proof of possession verifies (first per key); the rest excluded with why. */
  async function registeredCompute(forge: Address): Promise<{ accepted: RegisteredCompute[]; excluded: ExcludedCompute[] }> {
    const registered = await readComputeRegistrations(p.ctx, forge);
    const chainId = await p.ctx.publicClient.getChainId();
    return checkComputeRegistrations({ chainId, forge, registered });
  }

  return {
    start,
    poll,
    async run(signal) {
      await start();
      log.info({ confirmations: p.config.confirmations, pollIntervalMs: pollMs }, "watching the factory");
      while (!signal.aborted) {
        try {
          await poll(signal);
        } catch (error) {
          if (signal.aborted) break;
          log.warn({ err: error }, "poll failed; retrying");
        }
        await sleep(pollMs, signal);
      }
      log.info("coordinator stopped");
    },
    state: () => structuredClone(state!),
    stateFile,
  };
}

async function readSignedResult(file: string): Promise<{ result: EvalResult; signature: Hex } | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const raw = JSON.parse(text) as { result: Record<string, unknown>; signature: Hex };
  const r = raw.result;
  const big = (v: unknown) => BigInt(v as string);
  return {
    signature: raw.signature,
    result: {
      ...(r as unknown as EvalResult),
      metricBefore: big(r.metricBefore),
      metricAfter: big(r.metricAfter),
      dataIds: (r.dataIds as string[]).map(big),
      dataScores: (r.dataScores as string[]).map(big),
      computeIds: (r.computeIds as string[]).map(big),
      computeWork: (r.computeWork as string[]).map(big),
      excludedData: ((r.excludedData as string[] | undefined) ?? []).map(big),
      excludedCompute: ((r.excludedCompute as string[] | undefined) ?? []).map(big),
      deadline: big(r.deadline),
    },
  };
}

