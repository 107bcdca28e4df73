import type { Hex } from "viem";

/**
 * Names of the JetStream resources of one Forge's compute pool. Jobs and results are addressed to
 * one worker by its Ed25519 public key (hex without 0x), like the file queue's file names, so a job
 * redone by another worker never collides with the first one's messages:
 *
 *   stream INGOT_JOBS_<forge>     subjects ingot.jobs.<forge>.>      work queue, file storage
 *   stream INGOT_RESULTS_<forge>  subjects ingot.results.<forge>.>   limits, file storage, direct get
 *   ingot.jobs.<forge>.<workerKey>.<jobId>      the job for one worker
 *   ingot.results.<forge>.<workerKey>.<jobId>   that worker's signed result (or its error)
 *   consumer worker-<workerKey> on INGOT_JOBS_<forge>   durable, filtered to ingot.jobs.<forge>.<workerKey>.*
 *   inbox prefix _INBOX.worker-<workerKey>       where that worker's connection gets replies and deliveries
 *
 * `<forge>` is the lowercase address without 0x. The consumer and inbox names carry the key as one
 * subject token, which is what lets a worker's permissions (natsPermissions) name them.
 */
export interface NatsNames {
  jobsStream: string;
  resultsStream: string;
  jobSubject: (jobId: Hex) => string;
  resultSubject: (jobId: Hex) => string;
  /** Filter of this worker's durable consumer. */
  jobFilter: string;
  consumer: string;
}

export function natsNames(forge: string, workerPublicKey: Hex): NatsNames {
  const f = forgeToken(forge);
  const k = keyToken(workerPublicKey);
  return {
    jobsStream: jobsStreamName(forge),
    resultsStream: resultsStreamName(forge),
    jobSubject: (jobId) => `ingot.jobs.${f}.${k}.${jobId.toLowerCase()}`,
    resultSubject: (jobId) => `ingot.results.${f}.${k}.${jobId.toLowerCase()}`,
    jobFilter: `ingot.jobs.${f}.${k}.*`,
    consumer: workerConsumerName(workerPublicKey),
  };
}

export function jobsStreamName(forge: string): string {
  return `INGOT_JOBS_${forgeToken(forge)}`;
}

export function resultsStreamName(forge: string): string {
  return `INGOT_RESULTS_${forgeToken(forge)}`;
}

export function workerConsumerName(workerPublicKey: Hex): string {
  return `worker-${keyToken(workerPublicKey)}`;
}

/** The NATS user a worker connects as (its token is the password). */
export function workerNatsUser(workerPublicKey: Hex): string {
  return `worker-${keyToken(workerPublicKey)}`;
}

/** The inbox prefix of a worker's connection; its permissions allow subscribing only under it. */
export function workerInboxPrefix(workerPublicKey: Hex): string {
  return `_INBOX.worker-${keyToken(workerPublicKey)}`;
}

/** Nats-Msg-Id of a worker's result: `<jobId>.<workerKey>`, so the results stream stores a republished result once. */
export function resultMsgId(jobId: Hex, workerPublicKey: Hex): string {
  return `${jobId.toLowerCase()}.${keyToken(workerPublicKey)}`;
}

/** The jobId in a subject `ingot.(jobs|results).<forge>.<key>.<jobId>`, if it is one. */
export function jobIdOfSubject(subject: string): Hex | undefined {
  const m = /^ingot\.(?:jobs|results)\.[0-9a-f]{40}\.[0-9a-f]{64}\.(0x[0-9a-f]{64})$/.exec(subject);
  return m ? (m[1] as Hex) : undefined;
}

function forgeToken(forge: string): string {
  const f = forge.toLowerCase();
  if (!/^0x[0-9a-f]{40}$/.test(f)) throw new Error(`${forge} is not an address`);
  return f.slice(2);
}

function keyToken(publicKey: Hex): string {
  const k = publicKey.toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(k)) throw new Error(`${publicKey} is not a 32-byte public key`);
  return k.slice(2);
}
