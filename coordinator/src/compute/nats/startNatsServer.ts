import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { NatsTransportError } from "./errors.js";
import type { NatsPoolUser } from "./natsPermissions.js";
import { natsServerConfig, type NatsServerTls } from "./natsServerConfig.js";

export interface StartNatsServerParameters {
  /** Holds the config (`nats-server.conf`, 0600) and JetStream's store (`jetstream/`). */
  dir: string;
  /** Client port; default: a free one the server picks (read it from `.port`). */
  port?: number;
  host?: string;
  users: readonly NatsPoolUser[];
  /** Serve TLS with this certificate and key (makeNatsCertificates); clients then need the CA (`tls: { caFile }`). */
  tls?: NatsServerTls;
  /** The nats-server binary (default `nats-server` on PATH). */
  binary?: string;
  /** How long to wait for "Server is ready" (default 20 s). */
  readyTimeoutMs?: number;
  /** Each line nats-server logs (stderr), e.g. to pass it on. */
  onLog?: (line: string) => void;
  logger?: Logger;
}

export interface NatsServerHandle {
  /** nats://host:port (a TLS server too: the client upgrades the connection when given `tls`). */
  url: string;
  port: number;
  configPath: string;
  /** The server's last 500 log lines (stderr). */
  log(): string;
  /**
   * Rewrites the config (with `users` when given) and reloads it (SIGHUP); resolves once the server
   * logs the reload. A user left out is revoked: its open connections are closed and new ones refused.
   */
  reload(users?: readonly NatsPoolUser[]): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. Streams stay on disk. */
  stop(): Promise<void>;
}

const READY = /Server is ready/;
const LISTENING = /Listening for client connections on [^\s]*:(\d+)/;
const RELOADED = /Reloaded server configuration/;
const KEPT_LINES = 500;

/**
 * Starts nats-server with JetStream and the pool's users (test and development helper; the
 * documented command is cli/natsServer.ts). Restarting on the same `dir` and `port` brings the
 * streams and consumers back.
 */
export async function startNatsServer(params: StartNatsServerParameters): Promise<NatsServerHandle> {
  const configPath = join(params.dir, "nats-server.conf");
  const storeDir = params.dir; // nats-server keeps its streams under <store_dir>/jetstream
  await mkdir(params.dir, { recursive: true });
  let users = params.users;
  const writeConfig = async () => {
    const tmp = `${configPath}.tmp`;
    await writeFile(tmp, natsServerConfig({ storeDir, port: params.port ?? -1, ...(params.host ? { host: params.host } : {}), users, ...(params.tls ? { tls: params.tls } : {}) }), { mode: 0o600 });
    await rename(tmp, configPath);
  };
  await writeConfig();

  const binary = params.binary ?? "nats-server";
  const child: ChildProcess = spawn(binary, ["-c", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  let ready = false;
  let port = 0;
  let reloads = 0;
  const waiters = new Set<() => void>();
  child.stderr!.on("data", (d: Buffer) => {
    const parts = (partial + d.toString()).split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      params.onLog?.(line);
      const listening = LISTENING.exec(line);
      if (listening) port = Number(listening[1]);
      if (READY.test(line)) ready = true;
      if (RELOADED.test(line)) reloads++;
    }
    for (const w of [...waiters]) w();
  });
  const log = () => [...lines, partial].join("\n");
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
    child.once("exit", (code) => resolve({ code }));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const w of [...waiters]) w();
  });

  const waitForLog = (ok: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ok()) return finish(undefined);
        if (hasExited) return finish(new Error("exited"));
      };
      const timer = setTimeout(() => finish(new Error("timeout")), timeoutMs);
      function finish(error?: Error) {
        clearTimeout(timer);
        waiters.delete(check);
        if (!error) return resolve();
        exited.then(({ code, error: spawnError }) => {
          if (spawnError?.code === "ENOENT") {
            reject(new NatsTransportError(`${binary} was not found`, { hint: "install nats-server (apt-get install nats-server)", cause: spawnError }));
            return;
          }
          reject(new NatsTransportError(`nats-server did not ${what}${error.message === "timeout" ? ` within ${timeoutMs} ms` : ` (exit code ${code})`}: ${log().trim().split("\n").slice(-5).join(" | ")}`, {
            hint: `Check the config ${configPath} and that the port is free`,
            ...(spawnError ? { cause: spawnError } : {}),
          }));
        }, reject);
        if (error.message === "timeout") child.kill("SIGKILL");
      }
      waiters.add(check);
      check();
    });

  await waitForLog(() => ready && port > 0, "become ready", params.readyTimeoutMs ?? 20_000);
  const host = params.host ?? "127.0.0.1";
  params.logger?.info({ port, configPath }, "nats-server ready");

  return {
    url: `nats://${host}:${port}`,
    port,
    configPath,
    log,
    async reload(next) {
      if (next) users = next;
      await writeConfig();
      const before = reloads;
      child.kill("SIGHUP");
      await waitForLog(() => reloads > before, "reload its configuration", 10_000);
    },
    async stop() {
      if (hasExited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
