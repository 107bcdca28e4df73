import { AckPolicy, DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream";
import type { Hex } from "viem";
import { NatsTransportError } from "./errors.js";
import { natsNames, type NatsNames } from "./natsNames.js";

export interface ProvisionNatsWorkerParameters {
  /** A JetStream manager on a coordinator connection (full rights on the account). */
  jsm: JetStreamManager;
  forge: string;
  workerPublicKey: Hex;
  /** How long a delivered job may go without an ack or progress before it is redelivered (default 60 s; the worker signals progress every third of it). */
  ackWaitMs?: number;
  /** Deliveries of one job before the server stops redelivering it (default 5). */
  maxDeliver?: number;
  /** Window in which a result published twice (same Nats-Msg-Id) is stored once (default 1 hour). */
  duplicateWindowMs?: number;
}

const ms = (n: number) => n * 1_000_000;

/**
 * Creates, if missing, a Forge's jobs and results streams and one worker's durable consumer.
 * - jobs: work-queue retention (a job leaves the stream when its worker acks it, after publishing
 *   the result), file storage;
 * - results: file storage, one message per subject (the latest), direct get (so a worker can
 *   check its own results), a duplicate window for Nats-Msg-Id dedup;
 * - the consumer: durable `worker-<key>`, filtered to that worker's job subjects, explicit ack,
 *   ack_wait, max_deliver, one job in flight (max_ack_pending 1).
 * Idempotent; existing streams and consumers are left as they are.
 */
export async function provisionNatsWorker(params: ProvisionNatsWorkerParameters): Promise<NatsNames> {
  const names = natsNames(params.forge, params.workerPublicKey);
  const forge = params.forge.toLowerCase().slice(2);
  try {
    await ensure(
      () => params.jsm.streams.info(names.jobsStream),
      () =>
        params.jsm.streams.add({
          name: names.jobsStream,
          subjects: [`ingot.jobs.${forge}.>`],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          discard: DiscardPolicy.New,
        }),
    );
    await ensure(
      () => params.jsm.streams.info(names.resultsStream),
      () =>
        params.jsm.streams.add({
          name: names.resultsStream,
          subjects: [`ingot.results.${forge}.>`],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          allow_direct: true,
          max_msgs_per_subject: 1,
          duplicate_window: ms(params.duplicateWindowMs ?? 3_600_000),
        }),
    );
    await ensure(
      () => params.jsm.consumers.info(names.jobsStream, names.consumer),
      () =>
        params.jsm.consumers.add(names.jobsStream, {
          durable_name: names.consumer,
          filter_subject: names.jobFilter,
          ack_policy: AckPolicy.Explicit,
          ack_wait: ms(params.ackWaitMs ?? 60_000),
          max_deliver: params.maxDeliver ?? 5,
          max_ack_pending: 1,
        }),
    );
  } catch (cause) {
    if (cause instanceof NatsTransportError) throw cause;
    throw new NatsTransportError(`Cannot create the JetStream streams or the consumer of worker ${params.workerPublicKey} for Forge ${params.forge}`, {
      hint: "Connect as the coordinator user (it needs full rights on the account) to a nats-server with JetStream enabled",
      cause,
      retryable: true,
    });
  }
  return names;
}

async function ensure(info: () => Promise<unknown>, add: () => Promise<unknown>): Promise<void> {
  try {
    await info();
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.status !== 404) throw error;
    try {
      await add();
    } catch (raced) {
      // Another client created it meanwhile (same config): fine.
      if (!(raced instanceof JetStreamApiError) || !/already in use/.test(raced.message)) throw raced;
    }
  }
}
