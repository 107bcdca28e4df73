import { readFile, stat } from "node:fs/promises";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Hex } from "viem";
import { NatsTransportError } from "./errors.js";
import { workerInboxPrefix, workerNatsUser } from "./natsNames.js";
import { natsTlsOptions } from "./natsTlsOptions.js";

export interface ConnectNatsWorkerParameters {
  /** nats://host:port (one or more, comma-separated). */
  url: string;
  publicKey: Hex;
  /** The worker's bearer token, or `tokenFile` holding it on one line. */
  token?: string;
  tokenFile?: string;
  /** Connection name shown in the server's monitoring (default: the user). */
  name?: string;
  /**
   * The pool's CA certificate (PEM): the connection is TLS and the server must present a
   * certificate this CA signed for the URL's host (makeNatsCertificates). Without it, a TLS server
   * is checked against the system's CAs (a private CA's certificate is refused).
   */
  caFile?: string;
  /** Pause between reconnect attempts (default 2 s). */
  reconnectTimeWaitMs?: number;
}

export interface ConnectNatsWorkerReturnType {
  nc: NatsConnection;
  /** True when the token file is readable by group or others (worth a warning). */
  looselyPermitted: boolean;
}

/**
 * Connects as a worker: user workerNatsUser(publicKey), the token as its password, and the inbox
 * prefix its permissions allow. Reconnects forever after a server restart, but gives up (the
 * connection closes) when the server refuses the token twice — a revoked token.
 */
export async function connectNatsWorker(params: ConnectNatsWorkerParameters): Promise<ConnectNatsWorkerReturnType> {
  let token = params.token;
  let looselyPermitted = false;
  if (token === undefined) {
    if (!params.tokenFile) throw new NatsTransportError("No NATS token given", { hint: "Pass --nats-token-file with the worker's token" });
    try {
      token = (await readFile(params.tokenFile, "utf8")).trim();
      looselyPermitted = ((await stat(params.tokenFile)).mode & 0o077) !== 0;
    } catch (cause) {
      throw new NatsTransportError(`Cannot read the NATS token file ${params.tokenFile}`, { hint: "Pass --nats-token-file with the path of the worker's token", cause });
    }
  }
  if (!token) throw new NatsTransportError("The NATS token is empty", { hint: "Write the token the pool operator gave this worker, on one line" });
  const user = workerNatsUser(params.publicKey);
  try {
    const nc = await connect({
      servers: params.url.split(","),
      user,
      pass: token,
      name: params.name ?? user,
      inboxPrefix: workerInboxPrefix(params.publicKey),
      maxReconnectAttempts: -1,
      reconnectTimeWait: params.reconnectTimeWaitMs ?? 2_000,
      ...(params.caFile ? { tls: natsTlsOptions({ url: params.url, caFile: params.caFile }) } : {}),
    });
    return { nc, looselyPermitted };
  } catch (cause) {
    throw new NatsTransportError(`Cannot connect to NATS at ${params.url} as ${user}${cause instanceof Error ? ` (${cause.message})` : ""}`, {
      hint: "Check the URL and the token (a revoked token is refused: Authorization Violation) and, for a TLS server, --nats-ca: the CA that signed its certificate for this host",
      cause,
      retryable: !(cause instanceof Error && /Authorization/i.test(cause.message)),
    });
  }
}
