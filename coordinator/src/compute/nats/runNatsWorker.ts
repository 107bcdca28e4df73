import { jetstream, jetstreamManager, JetStreamApiError, type Consumer, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import type { Hex } from "viem";
import { TrainAbortedError } from "../../eval/train/errors.js";
import { answerInRunJob } from "../inRun/answerInRunJob.js";
import type { ContentStore } from "../../storage/types.js";
import { verifyInRunResultSignature } from "../inRun/inRunResultMessage.js";
import { isInRunJob } from "../inRun/isInRunJob.js";
import type { InRunWorker } from "../inRun/types.js";
import type { ComputeWorker } from "../types.js";
import { verifyJobResult } from "../verifyJobResult.js";
import { NatsTransportError } from "./errors.js";
import { jobIdOfSubject, natsNames, resultMsgId, type NatsNames } from "./natsNames.js";
import { decodeJobMessage, decodeResultMessage, encodeNatsMessage, NATS_RESULT_KIND, parseNatsJobBody, type NatsResultMessage } from "./natsMessages.js";
import { openJobBody } from "../openJobBody.js";
import { sleep } from "../../util/sleep.js";

export interface RunNatsWorkerParameters {
  /** A connection as this worker's user, with inboxPrefix workerInboxPrefix(publicKey) (connectNatsWorker). */
  nc: NatsConnection;
  forge: Hex;
  /** This worker's Ed25519 public key: its consumer and subjects are named by it. */
  publicKey: Hex;
  /** This worker's Ed25519 private key: job bodies are sealed to it (openJobBody). */
  ed25519PrivateKey: Hex | Uint8Array;
  /** The worker for the computeId a job message names (the registry's id for this key); in-run feature jobs need one that also has runInRun (isInRunWorker). */
  workerFor: (computeId: number) => ComputeWorker | (ComputeWorker & InRunWorker);
  /** Stop after finishing one job. */
  once?: boolean;
  /** Stops the loop; a job in training is handed back (nak) for redelivery (default: run until aborted). */
  signal?: AbortSignal;
  /** How long one pull waits for a job (default 5 s, at least 1 s); a failed pull is retried after at most 1 s. */
  pullExpiresMs?: number;
  logger?: Logger;
  /** Where in-run features go, sealed to the coordinator's result key (storeInRunResult); without it, in-run jobs get an error result. */
  store?: ContentStore;
}

export interface RunNatsWorkerReturnType {
  /** Jobs finished (a result or an error result published, then acked). */
  processed: number;
  /** Redelivered jobs whose result was already in the results stream (acked without training). */
  reused: number;
}

/**
 * The worker side of the NATS transport: pull one job at a time from this worker's durable
 * consumer (created by the coordinator; the worker may not create consumers), train it, publish the
 * signed result (Nats-Msg-Id `<jobId>.<workerKey>`, so a second publish is dropped), and only
 * then ack the job — a worker killed mid-job gets the job again after ack_wait. While training it
 * reports progress (`working`) every third of ack_wait so a long job is not redelivered. A
 * redelivered job whose result is already in the results stream is acked untrained. A message it
 * cannot use (bad JSON, another worker's key, sequences not the job's) gets an error result. An
 * abort stops training after the current step and naks the job for redelivery. A connection the
 * server closes (revoked token) ends the loop with a NatsTransportError. An in-run feature job
 * (isInRunJob) runs with the worker's runInRun; its features are sealed to the job's
 * resultRecipient and put in `store` (storeInRunResult), and the signed claim is the result.
 */
export async function runNatsWorker(params: RunNatsWorkerParameters): Promise<RunNatsWorkerReturnType> {
  const names = natsNames(params.forge, params.publicKey);
  const key = params.publicKey.toLowerCase() as Hex;
  const expires = Math.max(1_000, params.pullExpiresMs ?? 5_000); // the client refuses pulls shorter than 1 s
  const log = params.logger?.child({ forge: params.forge.toLowerCase(), transport: "nats" });
  const js = jetstream(params.nc);
  const jsm = await jetstreamManager(params.nc, { checkAPI: false });
  const stats: RunNatsWorkerReturnType = { processed: 0, reused: 0 };
  let consumer: Consumer | undefined;
  let ackWaitMs = 30_000;
  let waitingLogged = false;

  const closedError = () =>
    new NatsTransportError("The NATS server closed this worker's connection", {
      hint: "Check the worker's token (a revoked or wrong token is refused) and the server's log",
    });

  while (!params.signal?.aborted) {
    if (params.nc.isClosed()) throw closedError();
    if (!consumer) {
      try {
        consumer = await js.consumers.get(names.jobsStream, names.consumer);
        const info = await consumer.info(true);
        ackWaitMs = Math.max(1, Math.round((info.config.ack_wait ?? 30e9) / 1e6));
        log?.info({ consumer: names.consumer, ackWaitMs }, "bound to this worker's consumer");
      } catch (error) {
        if (params.nc.isClosed()) throw closedError();
        if (!(error instanceof JetStreamApiError && error.status === 404)) throw wrapPermission(error);
        if (!waitingLogged) log?.info({ consumer: names.consumer }, "waiting for the coordinator to create this worker's consumer");
        waitingLogged = true;
        consumer = undefined;
        await sleep(Math.min(expires, 1_000), params.signal);
        continue;
      }
    }
    let msg: JsMsg | null;
    try {
      msg = await untilAborted(consumer.next({ expires }), params.signal);
    } catch (error) {
      if (params.nc.isClosed()) throw closedError();
      if (error instanceof JetStreamApiError && error.status === 404) consumer = undefined; // deleted: bind again
      log?.warn({ err: error }, "pull failed; retrying");
      await sleep(Math.min(expires, 1_000), params.signal);
      continue;
    }
    if (!msg) continue;
    const outcome = await handle(msg);
    if (outcome === "released") {
      log?.info({ subject: msg.subject }, "stopped; job handed back for redelivery");
      return stats;
    }
    if (outcome === "reused") stats.reused++;
    else stats.processed++;
    if (params.once && outcome === "done") return stats;
  }
  return stats;

  async function handle(msg: JsMsg): Promise<"done" | "reused" | "released"> {
    const jobId = jobIdOfSubject(msg.subject);
    if (!jobId || msg.subject !== names.jobSubject(jobId)) {
      // Cannot come from our filtered consumer; drop it so it does not come back.
      log?.error({ subject: msg.subject }, "a message outside this worker's subjects; terminated");
      msg.term();
      return "done";
    }
    const jlog = log?.child({ jobId, delivery: msg.info.deliveryCount });
    if (await resultExists(jsm, names, jobId, key, log)) {
      await msg.ackAck();
      jlog?.info("result already published; acked without training");
      return "reused";
    }
    let computeId = 0;
    const heartbeat = setInterval(() => msg.working(), Math.max(100, Math.floor(ackWaitMs / 3)));
    try {
      const file = decodeJobMessage(msg.data);
      computeId = file.computeId;
      if (file.jobId !== jobId || file.workerPublicKey !== key) {
        throw new Error(`the message on ${msg.subject} holds job ${file.jobId} for key ${file.workerPublicKey}, not what its subject says`);
      }
      const body = parseNatsJobBody(await openJobBody({ sealedBody: file.sealedBody, forge: params.forge, jobId, workerPublicKey: key, ed25519PrivateKey: params.ed25519PrivateKey }));
      if (body.job.jobId !== jobId || body.job.forge.toLowerCase() !== params.forge.toLowerCase()) {
        throw new Error(`the sealed body on ${msg.subject} holds job ${body.job.jobId} of Forge ${body.job.forge}, not what its subject says`);
      }
      jlog?.info({ computeId, examples: body.sequences.length, redelivered: msg.redelivered }, "job received");
      const options = params.signal ? { signal: params.signal } : {};
      const worker = params.workerFor(file.computeId);
      if (isInRunJob(body.job)) {
        const { claim, featuresHash } = await answerInRunJob({ worker, job: body.job, sequences: body.sequences, resultRecipient: body.resultRecipient, forge: params.forge, store: params.store, options });
        await publishOwnResult(jobId, { kind: NATS_RESULT_KIND, inRunResult: claim }, msg.seq, jlog);
        await msg.ackAck();
        jlog?.info({ featuresHash, featuresRoot: claim.featuresRoot }, "in-run result published; job acked");
        return "done";
      }
      const result = await worker.run(body.job, body.sequences, options);
      await publishOwnResult(jobId, { kind: NATS_RESULT_KIND, result }, msg.seq, jlog);
      await msg.ackAck();
      jlog?.info({ adapterRoot: result.adapterRoot }, "result published; job acked");
      return "done";
    } catch (error) {
      if (params.signal?.aborted || error instanceof TrainAbortedError) {
        msg.nak();
        return "released";
      }
      if (params.nc.isClosed()) throw closedError();
      const message = error instanceof Error ? error.message : String(error);
      jlog?.error({ err: error }, "job failed; error result published");
      // One error per delivered message (its stream sequence): a redelivery after a crash does not publish it twice.
      await publishResult(jobId, { kind: NATS_RESULT_KIND, error: { jobId, computeId, message: message.slice(0, 4000) } }, `${resultMsgId(jobId, key)}.error.${msg.seq}`);
      await msg.ackAck();
      return "done";
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function publishResult(jobId: Hex, value: NatsResultMessage, msgID: string): Promise<{ duplicate: boolean }> {
    try {
      return await js.publish(names.resultSubject(jobId), encodeNatsMessage(value), { msgID });
    } catch (error) {
      throw wrapPermission(error);
    }
  }

  /**
   * Publish the signed result under its message id. If JetStream drops it as a duplicate although
   * the subject does not hold this very result, someone with this worker's token published under
   * that id first (the coordinator deletes what this key did not sign): publish it again under an
   * id of this delivery, and say so.
   */
  async function publishOwnResult(jobId: Hex, value: NatsResultMessage, seq: number, jlog?: Logger): Promise<void> {
    if (!(await publishResult(jobId, value, resultMsgId(jobId, key))).duplicate) return;
    const stored = await jsm.direct.getMessage(names.resultsStream, { last_by_subj: names.resultSubject(jobId) });
    const payload = encodeNatsMessage(value);
    if (stored && stored.data.length === payload.length && stored.data.every((b, i) => b === payload[i])) return;
    jlog?.error("this result's message id was already used by a message this worker did not send: its NATS token may be stolen (revoke and reissue it); publishing the result again");
    await publishResult(jobId, value, `${resultMsgId(jobId, key)}.${seq}`);
  }
}

/**
 * Whether this worker already published a (successful) result for the job: a result on the
 * subject signed by this worker's key for this job. Anything else there was put by someone holding
 * its token; it is reported and not taken for the worker's own.
 */
async function resultExists(jsm: JetStreamManager, names: NatsNames, jobId: Hex, key: Hex, log?: Logger): Promise<boolean> {
  const msg = await jsm.direct.getMessage(names.resultsStream, { last_by_subj: names.resultSubject(jobId) });
  if (!msg) return false;
  let decoded;
  try {
    decoded = decodeResultMessage(msg.data);
  } catch {
    return false;
  }
  if ("error" in decoded) return false;
  if ("result" in decoded && verifyJobResult({ result: decoded.result, publicKey: key }).valid && decoded.result.jobId === jobId) return true;
  if ("inRunResult" in decoded) {
    // The claim's signature is enough here: it is this worker's own result, published before a restart.
    const claim = decoded.inRunResult;
    if (verifyInRunResultSignature(claim, key) && claim.jobId === jobId) return true;
  }
  log?.error({ jobId }, "a result on this worker's subject is not signed by its key: its NATS token may be stolen (revoke and reissue it); training the job");
  return false;
}

function wrapPermission(error: unknown): unknown {
  if (error instanceof Error && /Permissions Violation/i.test(error.message)) {
    return new NatsTransportError("The NATS server refused this worker an operation", {
      hint: "Connect with the worker's own user and inbox prefix (connectNatsWorker), and check its permissions in the server config",
      cause: error,
    });
  }
  return error;
}

/** Resolves with `p`, or with null once `signal` aborts (a message `p` delivers later is handed back). */
function untilAborted(p: Promise<JsMsg | null>, signal?: AbortSignal): Promise<JsMsg | null> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      p.then((late) => late?.nak(), () => undefined);
      resolve(null);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (m) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) m?.nak();
        resolve(signal.aborted ? null : m);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

