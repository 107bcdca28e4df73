#!/usr/bin/env node
// Runs nats-server for a compute pool: writes its config (JetStream with file storage in --dir,
// one account, a user per coordinator and worker with its own token and permissions) and starts
// it in the foreground. SIGHUP re-reads --users and reloads the server: a worker left out is
// revoked (its connections are closed, its token refused). Ctrl-C (SIGINT) or SIGTERM stops it;
// the streams stay in --dir. With --tls <dir>, the server speaks TLS only, with the certificate in
// <dir> (made on first use with openssl: a private CA, ca.pem, and a server certificate for --host
// and each --san); give <dir>/ca.pem to every worker (--nats-ca) and the coordinator.
//
//   npx tsx coordinator/src/compute/cli/natsServer.ts --dir ./nats --users users.json [--port 4222] [--host 127.0.0.1] [--tls ./nats-tls [--san nats.example.org]...]
//   npx tsx coordinator/src/compute/cli/natsServer.ts --new-token worker-1.token   (a fresh random token, 0600)
//
// users.json (token files are relative to users.json; `token` inline works too):
//   { "coordinator": { "user": "coordinator", "tokenFile": "coordinator.token" },
//     "workers": [ { "publicKey": "0x…32-byte Ed25519 key…", "tokenFile": "worker-1.token" } ] }
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { pino } from "pino";
import type { Hex } from "viem";
import { z } from "zod";
import { createLogger } from "../../log/createLogger.js";
import { describeIssues, hex32Schema } from "../schemas.js";
import type { NatsPoolUser } from "../nats/natsPermissions.js";
import { makeNatsCertificates } from "../nats/makeNatsCertificates.js";
import { startNatsServer } from "../nats/startNatsServer.js";
import { runCommandLine, UsageError, type CommandLineValues } from "./runCommandLine.js";

const USAGE =
  "usage: natsServer --dir <dir> --users <users.json> [--port N] [--host H] [--tls <cert dir> [--san <name or IP>]...] [--log-level L]\n" +
  "       natsServer --new-token <file>";

const tokenFields = { token: z.string().min(16).optional(), tokenFile: z.string().min(1).optional() };
const usersFileSchema = z.strictObject({
  coordinator: z.strictObject({ user: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and -"), ...tokenFields }),
  workers: z.array(z.strictObject({ publicKey: hex32Schema, ...tokenFields })),
});

async function readToken(entry: { token?: string | undefined; tokenFile?: string | undefined }, base: string, what: string): Promise<string> {
  if ((entry.token === undefined) === (entry.tokenFile === undefined)) throw new Error(`${what}: give exactly one of "token" and "tokenFile"`);
  if (entry.token !== undefined) return entry.token;
  const token = (await readFile(resolve(base, entry.tokenFile!), "utf8")).trim();
  if (token.length < 16) throw new Error(`${what}: the token in ${entry.tokenFile} is shorter than 16 characters`);
  return token;
}

/** The users file, parsed once: the coordinator and each worker with its token. */
async function readUsers(path: string): Promise<NatsPoolUser[]> {
  const parsed = usersFileSchema.safeParse(JSON.parse(await readFile(path, "utf8")) as unknown);
  if (!parsed.success) throw new Error(`${path} is not a users file: ${describeIssues(parsed.error)}`);
  const base = dirname(path);
  const { coordinator, workers } = parsed.data;
  const users: NatsPoolUser[] = [{ role: "coordinator", user: coordinator.user, password: await readToken(coordinator, base, "coordinator") }];
  for (const w of workers) users.push({ role: "worker", publicKey: w.publicKey as Hex, password: await readToken(w, base, `worker ${w.publicKey}`) });
  return users;
}

const OPTIONS = {
  dir: { type: "string" },
  users: { type: "string" },
  port: { type: "string", default: "4222" },
  host: { type: "string", default: "127.0.0.1" },
  "new-token": { type: "string" },
  tls: { type: "string" },
  san: { type: "string", multiple: true },
  "log-level": { type: "string", default: "info" },
} satisfies ParseArgsOptionsConfig;

async function main(values: CommandLineValues<typeof OPTIONS>): Promise<number> {
  if (values["new-token"]) {
    await writeFile(values["new-token"], `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    process.stdout.write(`${values["new-token"]}\n`);
    return 0;
  }
  if (!values.dir || !values.users) {
    throw new UsageError(`missing --dir or --users`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < -1 || port > 65535) {
    throw new UsageError(`--port must be a port number (-1: any free one)`);
  }
  const logger = createLogger({ name: "nats-server", level: values["log-level"] as "info", destination: pino.destination(2) });
  const usersPath = resolve(values.users);
  let tls: { certFile: string; keyFile: string } | undefined;
  if (values.tls) {
    // The certificate names the hosts workers dial: --host (unless it is a wildcard) and each --san.
    const hosts = [...(values.host === "0.0.0.0" || values.host === "::" ? [] : [values.host]), ...(values.san ?? [])];
    const certs = await makeNatsCertificates({ dir: resolve(values.tls), hosts });
    logger.info({ ca: certs.caFile, cert: certs.certFile, hosts: certs.created ? hosts : undefined }, certs.created ? "made a CA and a server certificate; give ca.pem to every worker (--nats-ca) and the coordinator" : "TLS with the certificate already in --tls");
    tls = { certFile: certs.certFile, keyFile: certs.keyFile };
  }
  const server = await startNatsServer({ dir: resolve(values.dir), port, host: values.host, users: await readUsers(usersPath), ...(tls ? { tls } : {}), logger, onLog: (line) => process.stderr.write(`${line}\n`) });
  logger.info({ url: server.url, config: server.configPath, tls: Boolean(tls) }, "nats-server running; SIGHUP reloads the users file, Ctrl-C stops");

  let reloading = Promise.resolve();
  process.on("SIGHUP", () => {
    reloading = reloading.then(async () => {
      try {
        const users = await readUsers(usersPath);
        await server.reload(users);
        logger.info({ workers: users.length - 1 }, "users reloaded");
      } catch (error) {
        logger.error({ err: error }, "reload failed; the server keeps its previous users");
      }
    });
  });
  await new Promise<void>((resolveStop) => {
    process.once("SIGINT", () => resolveStop());
    process.once("SIGTERM", () => resolveStop());
  });
  await reloading;
  await server.stop();
  logger.info("nats-server stopped");
  return 0;
}

void runCommandLine({ name: "natsServer", usage: USAGE, options: OPTIONS, main });
