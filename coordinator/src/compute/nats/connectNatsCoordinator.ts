import { readFile } from "node:fs/promises";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { NatsTransportError } from "./errors.js";
import { natsTlsOptions } from "./natsTlsOptions.js";

export interface ConnectNatsCoordinatorParameters {
  /** nats://host:port (one or more, comma-separated). */
  url: string;
  /** The coordinator's NATS user (the users file's `coordinator.user`, default "coordinator"). */
  user: string;
  /** The file holding the coordinator's token on one line (the users file's `coordinator.tokenFile`). */
  tokenFile: string;
  /** The pool's CA (PEM): the connection is TLS and the server's certificate must be this CA's, for the URL's host. */
  caFile?: string;
  /** Pause between reconnect attempts (default 2 s). */
  reconnectTimeWaitMs?: number;
}

/**
 * The coordinator's connection to the pool's nats-server (full rights on the account: it creates
 * the streams and each worker's consumer). Reconnects forever after a server restart; a refused
 * token or certificate at the first connect is an error that says which.
 */
export async function connectNatsCoordinator(params: ConnectNatsCoordinatorParameters): Promise<NatsConnection> {
  let token: string;
  try {
    token = (await readFile(params.tokenFile, "utf8")).trim();
  } catch (cause) {
    throw new NatsTransportError(`Cannot read the coordinator's NATS token file ${params.tokenFile}`, { hint: "Pass --nats-token-file (or nats.tokenFile) with the token the users file gives the coordinator", cause });
  }
  if (!token) throw new NatsTransportError(`The NATS token file ${params.tokenFile} is empty`, { hint: "Write the coordinator's token (natsServer --new-token) on one line" });
  try {
    return await connect({
      servers: params.url.split(","),
      user: params.user,
      pass: token,
      name: `ingotforge-${params.user}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: params.reconnectTimeWaitMs ?? 2_000,
      ...(params.caFile ? { tls: natsTlsOptions({ url: params.url, caFile: params.caFile }) } : {}),
    });
  } catch (cause) {
    throw new NatsTransportError(`Cannot connect to NATS at ${params.url} as ${params.user}${cause instanceof Error ? ` (${cause.message})` : ""}`, {
      hint: "Check the URL, the user and its token and, for a TLS server, --nats-ca: the CA that signed its certificate for this host (natsServer --tls <dir> wrote it as <dir>/ca.pem)",
      cause,
      retryable: !(cause instanceof Error && /Authorization|certificate|CERT/i.test(cause.message)),
    });
  }
}
