import { workerNatsUser } from "./natsNames.js";
import { natsPermissions, type NatsPoolUser } from "./natsPermissions.js";

export interface NatsServerConfigParameters {
  /** JetStream's store_dir (file storage: streams and consumers survive a server restart). */
  storeDir: string;
  host?: string;
  /** -1 lets the server pick a free port (it logs the one it took). */
  port: number;
  users: readonly NatsPoolUser[];
  /** Largest message; a job carries its training sequences (default 8 MiB). */
  maxPayloadBytes?: number;
  /** The account the pool's users live in (default INGOT). */
  account?: string;
  /** Serve TLS only, with this certificate and key (PEM files; makeNatsCertificates makes them). Clients verify it against the CA. */
  tls?: NatsServerTls;
}

/** The server's certificate chain and private key (PEM paths). */
export interface NatsServerTls {
  certFile: string;
  keyFile: string;
}

/**
 * A nats-server configuration (JSON, which nats-server's config format accepts) for one compute
 * pool: JetStream with file storage in `storeDir`, one account with JetStream enabled, and a user
 * per coordinator and worker with the permissions natsPermissions gives it. The file holds the
 * tokens in the clear: write it 0600. With `tls`, a `tls { cert_file key_file }` block: clients must
 * speak TLS and should verify the server against the CA that signed the certificate.
 */
export function natsServerConfig(params: NatsServerConfigParameters): string {
  const seen = new Set<string>();
  const users = params.users.map((u) => {
    const user = u.role === "coordinator" ? u.user : workerNatsUser(u.publicKey);
    if (seen.has(user)) throw new Error(`NATS user ${user} is listed twice`);
    seen.add(user);
    if (u.password.length < 16) throw new Error(`the token of NATS user ${user} is shorter than 16 characters`);
    return { user, password: u.password, permissions: natsPermissions(u) };
  });
  const config = {
    host: params.host ?? "127.0.0.1",
    port: params.port,
    max_payload: params.maxPayloadBytes ?? 8 * 1024 * 1024,
    jetstream: { store_dir: params.storeDir },
    // Every client connection is TLS (nats-server refuses a plain one); 5 s for the handshake.
    ...(params.tls ? { tls: { cert_file: params.tls.certFile, key_file: params.tls.keyFile, timeout: 5 } } : {}),
    accounts: { [params.account ?? "INGOT"]: { jetstream: "enabled", users } },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
