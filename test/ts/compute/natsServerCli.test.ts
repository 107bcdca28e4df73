import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { workerIdentity } from "./fixtures/natsFixtures.js";

const CLI = fileURLToPath(new URL("../../../coordinator/src/compute/cli/natsServer.ts", import.meta.url));
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compute-nats-cli-"));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const logged = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(err);
        if (m) {
          waiters.delete(check);
          resolve(m);
        } else if (child.exitCode !== null) {
          waiters.delete(check);
          reject(new Error(`exited before logging ${re}: ${err}`));
        }
      };
      waiters.add(check);
      void exited.then(check);
      check();
    });
  return { child, exited, logged, stdout: () => out, stderr: () => err };
}

describe("natsServer CLI", () => {
  it("--new-token writes a fresh 32-byte hex token readable by its owner only", async () => {
    const path = join(dir, "t.token");
    const p = run(["--new-token", path]);
    expect(await p.exited, p.stderr()).toBe(0);
    expect((await readFile(path, "utf8")).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("serves the users file's coordinator and workers, revokes a worker left out of it on SIGHUP, and stops cleanly on SIGINT", async () => {
    const w = [workerIdentity(7), workerIdentity(8)];
    await writeFile(join(dir, "coordinator.token"), "cli-coordinator-token-0123456789\n", { mode: 0o600 });
    const usersPath = join(dir, "users.json");
    const usersFile = (workers: typeof w) => JSON.stringify({ coordinator: { user: "coordinator", tokenFile: "coordinator.token" }, workers: workers.map((x) => ({ publicKey: x.publicKey, token: x.token })) });
    await writeFile(usersPath, usersFile(w));
    const server = run(["--dir", join(dir, "nats"), "--users", usersPath, "--port=-1"]);
    const url = (await server.logged(/"url":"(nats:\/\/[^"]+)"/))[1];

    const coordinator = await connect({ servers: url, user: "coordinator", pass: "cli-coordinator-token-0123456789" });
    const { nc: kept } = await connectNatsWorker({ url, publicKey: w[0].publicKey, token: w[0].token });
    const { nc: revoked } = await connectNatsWorker({ url, publicKey: w[1].publicKey, token: w[1].token, reconnectTimeWaitMs: 100 });

    await writeFile(usersPath, usersFile([w[0]]));
    server.child.kill("SIGHUP");
    await server.logged(/"workers":1,"msg":"users reloaded"/);
    expect(await revoked.closed()).toMatchObject({ name: "AuthorizationError" });
    await expect(connectNatsWorker({ url, publicKey: w[1].publicKey, token: w[1].token })).rejects.toThrow(/Cannot connect to NATS/);
    expect(kept.isClosed()).toBe(false);
    await kept.close();
    await coordinator.close();

    server.child.kill("SIGINT");
    expect(await server.exited, server.stderr()).toBe(0);
    expect(server.stderr()).toMatch(/nats-server stopped/);
  });

  it("--tls makes a CA and a certificate for --host in the dir, serves TLS only, and a worker with that ca.pem connects", async () => {
    const w = workerIdentity(9);
    const usersPath = join(dir, "tls-users.json");
    await writeFile(usersPath, JSON.stringify({ coordinator: { user: "coordinator", token: "cli-coordinator-token-0123456789" }, workers: [{ publicKey: w.publicKey, token: w.token }] }));
    const server = run(["--dir", join(dir, "nats-tls-store"), "--users", usersPath, "--port=-1", "--tls", join(dir, "tls")]);
    const url = (await server.logged(/"url":"(nats:\/\/[^"]+)"/))[1];
    expect(server.stderr()).toMatch(/made a CA and a server certificate/);
    const caFile = join(dir, "tls", "ca.pem");
    expect((await stat(join(dir, "tls", "server.key"))).mode & 0o077).toBe(0);
    expect(JSON.parse(await readFile(join(dir, "nats-tls-store", "nats-server.conf"), "utf8")).tls).toMatchObject({ cert_file: join(dir, "tls", "server.pem") });

    await expect(connectNatsWorker({ url, publicKey: w.publicKey, token: w.token })).rejects.toThrow(/Cannot connect to NATS/);
    const { nc } = await connectNatsWorker({ url, publicKey: w.publicKey, token: w.token, caFile });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
    server.child.kill("SIGINT");
    expect(await server.exited, server.stderr()).toBe(0);
  });

  it("refuses a users file with a worker key that is not 32 bytes of hex", async () => {
    const usersPath = join(dir, "bad-users.json");
    await writeFile(usersPath, JSON.stringify({ coordinator: { user: "coordinator", token: "cli-coordinator-token-0123456789" }, workers: [{ publicKey: "0x1234", token: "x".repeat(20) }] }));
    const p = run(["--dir", join(dir, "nats-bad"), "--users", usersPath, "--port=-1"]);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/is not a users file: workers\.0\.publicKey/);
  });
});
