import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeNatsCertificates, type NatsCertificates } from "../../../coordinator/src/compute/nats/makeNatsCertificates.js";
import { startNatsServer, type NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import { startHardhatNode } from "../../../scripts/lib/startHardhatNode.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = path.join(ROOT, "coordinator/src/service/main.ts");
const TOKEN = "cli-coordinator-token-0123456789ab";

/** `npm run coordinator -- run --nats …` as an operator types it, against a TLS nats-server and a hardhat node. */
describe("coordinator run --nats (command line)", () => {
  let dir: string;
  let node: Awaited<ReturnType<typeof startHardhatNode>>;
  let certs: NatsCertificates;
  let server: NatsServerHandle;
  let tokenFile: string;
  let addressesFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ingotforge-coordinator-nats-cli-"));
    node = await startHardhatNode(ROOT);
    certs = await makeNatsCertificates({ dir: path.join(dir, "tls"), hosts: ["127.0.0.1"] });
    server = await startNatsServer({ dir: path.join(dir, "nats"), users: [{ role: "coordinator", user: "coordinator", password: TOKEN }], tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
    tokenFile = path.join(dir, "coordinator.token");
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    // Nothing is deployed there: the service stops at its chain check, after the NATS connection.
    const a = "0x00000000000000000000000000000000000000aa";
    addressesFile = path.join(dir, "addresses.json");
    await writeFile(addressesFile, JSON.stringify({ factory: a, ingot: a, splitter: a, enclaveRegistry: a, verifier: a }));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function run(args: string[], rpcUrl = node.url): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "run", "--addresses", addressesFile, "--threads", "1", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, INGOTFORGE_RPC_URL: rpcUrl, INGOTFORGE_CHAIN_ID: "31337", INGOTFORGE_DATA_DIR: path.join(dir, "data"), INGOTFORGE_LOG_LEVEL: "info" },
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    return new Promise((resolve) => child.on("exit", (code) => (clearTimeout(timer), resolve({ code, out }))));
  }

  it("connects to the TLS server with --nats-ca and says the registered workers get their jobs over NATS", async () => {
    const { out } = await run(["--nats", server.url, "--nats-token-file", tokenFile, "--nats-ca", certs.caFile]);
    expect(out).toMatch(/"tls":true[^\n]*registered workers get their jobs over NATS JetStream at nats:\/\/127\.0\.0\.1:\d+, server verified against the CA/);
    expect(out).not.toMatch(/file queue/);
  }, 90_000);

  it("refuses to start when the TLS server cannot be verified (no --nats-ca)", async () => {
    const { code, out } = await run(["--nats", server.url, "--nats-token-file", tokenFile]);
    expect(code).toBe(1);
    expect(out).toMatch(/Cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+ as coordinator \(unable to verify the first certificate\)/);
    expect(out).not.toMatch(/registered workers get their jobs/);
  }, 90_000);

  it("names the missing token file before connecting to anything", async () => {
    const { code, out } = await run(["--nats", server.url], "http://127.0.0.1:9");
    expect(code).toBe(1);
    expect(out).toMatch(/The NATS settings are incomplete or wrong: tokenFile/);
  }, 90_000);
});
