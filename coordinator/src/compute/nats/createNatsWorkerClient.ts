import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { bytesToHex, type Hex } from "viem";
import { attributeJobResult, type UnattributableReason } from "../attributeJobResult.js";
import { ComputeError, JobInputError, WorkerJobFailedError, WorkerTimeoutError } from "../errors.js";
import { attributeInRunResult } from "../inRun/attributeInRunResult.js";
import { fetchInRunResult } from "../inRun/fetchInRunResult.js";
import type { HpkeKeyPair } from "../../sealing/generateHpkeKeyPair.js";
import { inRunResultKeys } from "../inRun/inRunResultKeys.js";
import type { ContentStore } from "../../storage/types.js";
import type { InRunJob, InRunJobResult, InRunFeaturesListener, InRunResultKeyFor, InRunWorker } from "../inRun/types.js";
import type { ComputeWorker, RunJobOptions, ScoredSequence, TrainingJob, TrainingJobResult } from "../types.js";
import { NatsTransportError } from "./errors.js";
import type { NatsNames } from "./natsNames.js";
import { decodeResultMessage, encodeNatsMessage, NATS_JOB_KIND, NatsMessageFormatError, type NatsJobBody, type NatsJobMessage, type NatsResultMessage } from "./natsMessages.js";
import { sealJobBody } from "../sealJobBody.js";
import { provisionNatsWorker } from "./provisionNatsWorker.js";

export interface CreateNatsWorkerClientParameters {
  /** A connection as the coordinator user (full rights on the pool's account). */
  nc: NatsConnection;
  computeId: number;
  /** The worker's registered Ed25519 key: addresses its job and result subjects. */
  publicKey: Hex;
  /** How long to wait for a result before giving up on this worker for the job. */
  timeoutMs: number;
  /** When set, jobs of any other Forge are refused. */
  forge?: Hex;
  /** How often the results stream is read, besides the live subscription (default 1 s): covers a result published while disconnected. */
  pollIntervalMs?: number;
  /** The worker consumer's ack_wait and max_deliver, used when the client creates it (provisionNatsWorker). */
  ackWaitMs?: number;
  maxDeliver?: number;
  logger?: Logger;
  /**
   * Where the worker puts the sealed features of an in-run job (the store it puts adapters in);
   * without it, in-run jobs are refused (runInRun throws, and the coordinator computes the features itself).
   */
  store?: ContentStore;
  /**
   * The key in-run features are sealed to, for this worker and a job's Forge: the enclave's
   * `inRunResultKey` (derived from its secret, so a restarted coordinator opens the answers given
   * before the restart and does not publish the job again). Left out (tests), a random key held in
   * memory by this client: an answer sealed for a previous client then does not open, and is
   * purged and its job published again.
   */
  resultKey?: InRunResultKeyFor;
  /**
   * Called with the root of every sealed features envelope this client opened (its answer taken):
   * the coordinator removes them from the local store once the Forge's result is submitted
   * (discardInRunFeatures). Only roots that opened with the result key are reported, so a worker
   * naming another blob's root in its claim cannot get that blob removed.
   */
  onInRunFeatures?: InRunFeaturesListener;
  /** Told of every message dropped from the worker's result subject because its key did not sign it. */
  onEvent?: (event: NatsClientEvent) => void;
}

/** Takes a decoded non-error result message for one job: the value, or why it is not the worker's (dropped as forged), or "stale": none usable, ask again. */
type ResultPicker<R> = (
  decoded: Exclude<NatsResultMessage, { error: unknown }>,
  /** The result found before publishing the job (true) or one that came after (false). */
  before: boolean,
) => Promise<{ ok: true; value: R } | { ok: false; reason: UnattributableReason; detail: string } | { ok: "stale" }>;

/**
 * A message on the worker's result subject that its key did not sign for this job (or that is not
 * a result message at all): whoever sent it holds the worker's NATS token. Revoke and reissue it.
 */
export type NatsClientEvent = { type: "transport-compromised"; jobId: Hex; computeId: number; reason: UnattributableReason; detail: string };

/**
 * A ComputeWorker (and InRunWorker: in-run feature jobs travel the same way, the body naming this
 * client's result key, the answer a signed claim whose features the worker sealed to that key and
 * put in `store`: fetchInRunResult) whose jobs go through NATS JetStream to a worker process (runNatsWorker,
 * cli/worker.ts --nats). Idempotent by (jobId, worker): a result already in the results stream is
 * returned without publishing the job again, and a job still in the jobs stream (queued or being
 * trained) is waited for, not duplicated — the publish expects no message on the job's subject, so
 * even a restarted coordinator cannot queue it twice. On timeout or abort the job is withdrawn
 * from the stream (a worker that has it may still finish; its result is kept for a later try). A
 * lost connection is not a withdrawal: the job stays queued for the next coordinator run. An
 * error result is removed and thrown (WorkerJobFailedError), so the next try runs the job again.
 * A result the worker's key did not sign for this job (attributeJobResult), and a message that is
 * not a result message at all, are deleted from the stream, reported (an error log and a
 * `transport-compromised` event: the worker's token is in someone else's hands) and otherwise
 * ignored: the client keeps waiting for the worker's own answer, and holds nothing against it.
 * A signed result is returned as the worker published it; checking the rest is the pool's business.
 */
export function createNatsWorkerClient(params: CreateNatsWorkerClientParameters): ComputeWorker & InRunWorker {
  const publicKey = params.publicKey.toLowerCase() as Hex;
  const pollMs = params.pollIntervalMs ?? 1_000;
  const log = params.logger?.child({ computeId: params.computeId, transport: "nats" });
  const js = jetstream(params.nc);
  let jsmPromise: Promise<JetStreamManager> | undefined;
  const provisioned = new Map<string, Promise<NatsNames>>();
  const resultKey = inRunResultKeys(params.computeId, params.resultKey);

  async function namesFor(forge: string): Promise<{ jsm: JetStreamManager; names: NatsNames }> {
    jsmPromise ??= jetstreamManager(params.nc);
    const jsm = await jsmPromise.catch((cause: unknown) => {
      jsmPromise = undefined;
      throw new NatsTransportError("JetStream is not available on this connection", { hint: "Start nats-server with JetStream (-js or a jetstream block) and connect as the coordinator user", cause, retryable: true });
    });
    let names = provisioned.get(forge);
    if (!names) {
      names = provisionNatsWorker({ jsm, forge, workerPublicKey: publicKey, ...(params.ackWaitMs ? { ackWaitMs: params.ackWaitMs } : {}), ...(params.maxDeliver ? { maxDeliver: params.maxDeliver } : {}) });
      names.catch(() => provisioned.delete(forge));
      provisioned.set(forge, names);
    }
    return { jsm, names: await names };
  }

  /**
   * A message that proves nothing about the worker: deleted from the stream if it is still the
   * subject's message (the worker's own result may have replaced it), and reported.
   */
  async function dropForged(jsm: JetStreamManager, names: NatsNames, job: TrainingJob | InRunJob, data: Uint8Array, reason: UnattributableReason, detail: string): Promise<void> {
    const subject = names.resultSubject(job.jobId);
    const stored = await jsm.direct.getMessage(names.resultsStream, { last_by_subj: subject });
    if (stored && sameBytes(stored.data, data)) await jsm.streams.deleteMessage(names.resultsStream, stored.seq, false);
    log?.error(
      { jobId: job.jobId, reason, detail },
      `a message on worker ${params.computeId}'s result subject was not signed by its key: its NATS token may be stolen. Dropped, not held against the worker; revoke and reissue its token`,
    );
    params.onEvent?.({ type: "transport-compromised", jobId: job.jobId, computeId: params.computeId, reason, detail });
  }

  /**
   * The result on the subject, if any, as `pick` takes it; an error result is purged (so a retry
   * runs again) and thrown; a message `pick` cannot attribute to the worker is dropped as forged.
   */
  async function takeResult<R>(jsm: JetStreamManager, names: NatsNames, job: TrainingJob | InRunJob, pick: ResultPicker<R>, data?: Uint8Array, before = false): Promise<R | undefined> {
    const subject = names.resultSubject(job.jobId);
    if (!data) {
      const msg = await jsm.direct.getMessage(names.resultsStream, { last_by_subj: subject });
      if (!msg) return undefined;
      data = msg.data;
    }
    let decoded;
    try {
      decoded = decodeResultMessage(data);
    } catch (error) {
      if (!(error instanceof NatsMessageFormatError)) throw error;
      await dropForged(jsm, names, job, data, "malformed", error.message);
      return undefined;
    }
    if ("error" in decoded) {
      await jsm.streams.purge(names.resultsStream, { filter: subject });
      throw new WorkerJobFailedError(params.computeId, job.jobId, decoded.error.message);
    }
    const taken = await pick(decoded, before);
    if (taken.ok === "stale") return undefined;
    if (!taken.ok) {
      await dropForged(jsm, names, job, data, taken.reason, taken.detail);
      return undefined;
    }
    return taken.value;
  }

  /** A training job's signed result, attributed to this worker for this job. */
  const pickTraining = (job: TrainingJob): ResultPicker<TrainingJobResult> => async (decoded) => {
    if (!("result" in decoded)) return { ok: false, reason: "malformed", detail: "an in-run result on a training job's subject" };
    const from = attributeJobResult({ result: decoded.result, publicKey, jobId: job.jobId, computeId: params.computeId });
    return from.attributable ? { ok: true, value: decoded.result } : { ok: false, reason: from.reason, detail: from.detail };
  };

  /**
   * An in-run job's answer: its claim attributed to this worker for this job, then its sealed
   * features fetched from the store and opened with this client's result key. Features that cannot
   * be fetched or opened are purged: found before publishing (sealed to another key: another
   * enclave secret, or a client with a random key), the job is published again; arriving later, they are the worker's failure
   * (not proven cheating) and the next try runs the job again.
   */
  const pickInRun = (job: InRunJob, store: ContentStore, key: HpkeKeyPair): ResultPicker<InRunJobResult> => async (decoded, before) => {
    if (!("inRunResult" in decoded)) return { ok: false, reason: "malformed", detail: "a training result on an in-run job's subject" };
    const claim = decoded.inRunResult;
    const from = attributeInRunResult({ result: claim, publicKey, jobId: job.jobId, computeId: params.computeId });
    if (!from.attributable) return { ok: false, reason: from.reason, detail: from.detail };
    let value: InRunJobResult;
    try {
      value = await fetchInRunResult({ claim, forge: job.forge, recipientPrivateKey: key.privateKey, store });
    } catch (error) {
      const { jsm, names } = await namesFor(job.forge);
      await jsm.streams.purge(names.resultsStream, { filter: names.resultSubject(job.jobId) });
      if (before) {
        log?.warn({ jobId: job.jobId, err: error }, "an earlier in-run result does not open with this client's result key; publishing the job again");
        return { ok: "stale" };
      }
      throw new WorkerJobFailedError(params.computeId, job.jobId, (error as Error).message);
    }
    await params.onInRunFeatures?.({ forge: job.forge, jobId: job.jobId, computeId: params.computeId, featuresRoot: claim.featuresRoot });
    return { ok: true, value };
  };

  async function withdraw(jsm: JetStreamManager, names: NatsNames, jobId: Hex): Promise<void> {
    try {
      const queued = await jsm.streams.getMessage(names.jobsStream, { last_by_subj: names.jobSubject(jobId) });
      if (queued) await jsm.streams.deleteMessage(names.jobsStream, queued.seq, false);
    } catch (error) {
      log?.warn({ jobId, err: error }, "could not withdraw the job from the stream");
    }
  }

  /** Publish `job` for this worker (unless its result is there or it is queued) and wait for the answer `pick` takes. */
  async function dispatch<R>(job: TrainingJob | InRunJob, sequences: readonly ScoredSequence[], options: RunJobOptions | undefined, pick: ResultPicker<R>, resultRecipient?: Hex): Promise<R> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    if (params.forge && params.forge.toLowerCase() !== job.forge.toLowerCase()) {
      throw new JobInputError(`Job ${job.jobId} is for Forge ${job.forge}, this client serves ${params.forge}`, { hint: "Use one client per Forge" });
    }
    const { jsm, names } = await namesFor(job.forge);

    // Subscribe before looking, so a result published in between is not missed.
    const live: Uint8Array[] = [];
    let wake: (() => void) | undefined;
    const sub: Subscription = params.nc.subscribe(names.resultSubject(job.jobId), {
      callback: (_err, msg) => {
        if (msg) live.push(msg.data);
        wake?.();
      },
    });
    try {
      const existing = await takeResult(jsm, names, job, pick, undefined, true);
      if (existing) {
        log?.info({ jobId: job.jobId }, "reusing the result already in the stream");
        return existing;
      }
      const body: NatsJobBody = {
        job: { ...job, exampleHashes: [...job.exampleHashes] },
        sequences: sequences.map((s) => ({ id: s.id, tokens: [...s.tokens], scoreFrom: s.scoreFrom })),
        ...(resultRecipient ? { resultRecipient } : {}),
      };
      const message: NatsJobMessage = {
        kind: NATS_JOB_KIND,
        computeId: params.computeId,
        workerPublicKey: publicKey,
        jobId: job.jobId,
        sealedBody: await sealJobBody(body, { forge: job.forge, jobId: job.jobId, workerPublicKey: publicKey }),
      };
      const payload = encodeNatsMessage(message);
      const maxPayload = params.nc.info?.max_payload;
      if (maxPayload !== undefined && payload.length > maxPayload) {
        throw new NatsTransportError(`Job ${job.jobId} is ${payload.length} bytes, over the server's max_payload of ${maxPayload}`, { hint: "Raise max_payload in the nats-server config (natsServerConfig maxPayloadBytes) or split the job" });
      }
      try {
        await js.publish(names.jobSubject(job.jobId), payload, { expect: { lastSubjectSequence: 0 } });
        log?.info({ jobId: job.jobId, bytes: payload.length }, "job published");
      } catch (error) {
        // 10071 wrong last sequence: the job is already queued (an earlier run of ours); wait for it.
        if (!(error instanceof JetStreamApiError && error.code === 10071)) throw error;
        log?.info({ jobId: job.jobId }, "job already queued; waiting for its result");
      }

      const deadline = Date.now() + params.timeoutMs;
      let nextPoll = Date.now() + pollMs;
      for (;;) {
        while (live.length > 0) {
          const result = await takeResult(jsm, names, job, pick, live.shift());
          if (result) return result;
        }
        if (Date.now() >= nextPoll) {
          try {
            const result = await takeResult(jsm, names, job, pick);
            if (result) return result;
          } catch (error) {
            // A server restart or a reconnect in progress: keep waiting until the deadline.
            if (error instanceof WorkerJobFailedError || params.nc.isClosed()) throw error;
            log?.warn({ jobId: job.jobId, err: error }, "could not read the results stream; retrying");
          }
          nextPoll = Date.now() + pollMs;
        }
        if (params.nc.isClosed()) {
          throw new NatsTransportError(`The NATS connection closed while waiting for job ${job.jobId}`, { hint: "The job stays queued; run it again once connected", retryable: true });
        }
        if (signal?.aborted || Date.now() >= deadline) {
          // Withdraw the job, so a late or returning worker does not train it for nothing.
          await withdraw(jsm, names, job.jobId);
          if (signal?.aborted) throw signal.reason;
          throw new WorkerTimeoutError(params.computeId, job.jobId, params.timeoutMs);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.max(0, Math.min(nextPoll, deadline) - Date.now()));
          function done() {
            clearTimeout(timer);
            wake = undefined;
            signal?.removeEventListener("abort", done);
            resolve();
          }
          wake = done;
          signal?.addEventListener("abort", done, { once: true });
        });
      }
    } finally {
      sub.unsubscribe();
    }
  }

  return {
    computeId: params.computeId,
    publicKey,
    run: (job, sequences, options) => dispatch(job, sequences, options, pickTraining(job)),
    async runInRun(job, sequences, options) {
      const store = params.store;
      if (!store) throw new ComputeError(`Worker ${params.computeId}'s NATS client has no content store for in-run results`, { hint: "Create the client with the store the worker puts its results in" });
      const key = await resultKey(job.forge);
      return dispatch(job, sequences, options, pickInRun(job, store, key), bytesToHex(key.publicKey));
    },
  };
}
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
