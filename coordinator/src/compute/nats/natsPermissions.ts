import type { Hex } from "viem";
import { workerConsumerName, workerInboxPrefix } from "./natsNames.js";

/** A NATS user of the pool's account: the coordinator, or one worker (named by its Ed25519 key). */
export type NatsPoolUser =
  | { role: "coordinator"; user: string; /** The bearer token (the NATS password). */ password: string }
  | { role: "worker"; publicKey: Hex; /** The bearer token (the NATS password); the user name is workerNatsUser(publicKey). */ password: string };

export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

/**
 * What a user may do. The coordinator may do anything in the account (it creates the streams and
 * every worker's consumer). A worker may only:
 * - read its own durable consumer (`$JS.API.CONSUMER.INFO|MSG.NEXT.<stream>.worker-<key>`) and
 *   acknowledge its messages (`$JS.ACK.<stream>.worker-<key>.>`): the coordinator created that
 *   consumer filtered to `ingot.jobs.<forge>.<key>.*`, and a worker can create no consumer of its own;
 * - publish results under its own key (`ingot.results.*.<key>.*`) and read those back by direct
 *   get (to skip a redelivered job it already answered);
 * - subscribe under its own inbox prefix, where its pulled jobs and API replies arrive.
 * So it never sees other workers' jobs or results, and cannot answer for another key (results are
 * signed too: a token authenticates the connection, the Ed25519 key the result).
 */
export function natsPermissions(user: NatsPoolUser): NatsPermissions {
  if (user.role === "coordinator") return { publish: { allow: [">"] }, subscribe: { allow: [">"] } };
  const k = user.publicKey.toLowerCase().slice(2);
  const consumer = workerConsumerName(user.publicKey);
  return {
    publish: {
      allow: [
        `$JS.API.CONSUMER.INFO.*.${consumer}`,
        `$JS.API.CONSUMER.MSG.NEXT.*.${consumer}`,
        `$JS.ACK.*.${consumer}.>`,
        `ingot.results.*.${k}.*`,
        `$JS.API.DIRECT.GET.*.ingot.results.*.${k}.*`,
      ],
    },
    subscribe: { allow: [`${workerInboxPrefix(user.publicKey)}.>`] },
  };
}
