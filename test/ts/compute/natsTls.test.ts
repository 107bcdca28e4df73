import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComputePool } from "../../../coordinator/src/compute/createComputePool.js";
import { createReexecutor } from "../../../coordinator/src/compute/createReexecutor.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { createNatsWorkerClient } from "../../../coordinator/src/compute/nats/createNatsWorkerClient.js";
import { NatsTransportError } from "../../../coordinator/src/compute/nats/errors.js";
import { makeNatsCertificates, type NatsCertificates } from "../../../coordinator/src/compute/nats/makeNatsCertificates.js";
import { natsTlsOptions } from "../../../coordinator/src/compute/nats/natsTlsOptions.js";
import { natsServerConfig } from "../../../coordinator/src/compute/nats/natsServerConfig.js";
import { startNatsServer, type NatsServerHandle } from "../../../coordinator/src/compute/nats/startNatsServer.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import { modelToGguf } from "../../../coordinator/src/eval/model/modelToGguf.js";
import { createLocalContentStore } from "../../../coordinator/src/storage/createLocalContentStore.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "./computeFixtures.js";
import { COORDINATOR, spawnNatsWorker, workerIdentity, type SpawnedWorker } from "./fixtures/natsFixtures.js";

const run = promisify(execFile);
const model = tinyBase("nats-tls");
const W0 = workerIdentity(0);
let dir: string;
let certs: NatsCertificates;
let otherCa: NatsCertificates;
let server: NatsServerHandle;
const opened: NatsConnection[] = [];
const spawned: SpawnedWorker[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compute-nats-tls-"));
  certs = await makeNatsCertificates({ dir: join(dir, "tls"), hosts: ["127.0.0.1"] });
  otherCa = await makeNatsCertificates({ dir: join(dir, "other-tls"), hosts: ["127.0.0.1"] });
  server = await startNatsServer({ dir: join(dir, "nats"), users: [COORDINATOR, W0.user], tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
}, 60_000);
afterAll(async () => {
  for (const w of spawned) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  for (const c of opened) if (!c.isClosed()) await c.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("NATS over TLS", () => {
  it("makes a CA and a server certificate for the hosts, keys 0600, and keeps them on a second call", async () => {
    expect(await readFile(certs.caFile, "utf8")).toMatch(/BEGIN CERTIFICATE/);
    expect((await stat(certs.keyFile)).mode & 0o077).toBe(0);
    expect((await stat(certs.caKeyFile)).mode & 0o077).toBe(0);
    const again = await makeNatsCertificates({ dir: join(dir, "tls"), hosts: ["127.0.0.1"] });
    expect(again.created).toBe(false);
    expect(await readFile(again.caFile, "utf8")).toBe(await readFile(certs.caFile, "utf8"));
    expect(JSON.parse(natsServerConfig({ storeDir: "/s", port: 1, users: [COORDINATOR], tls: { certFile: "/c.pem", keyFile: "/k.pem" } })).tls).toMatchObject({ cert_file: "/c.pem", key_file: "/k.pem" });
  });

  it("refuses a worker connection that does not verify against the pool's CA (no CA given)", async () => {
    await expect(connectNatsWorker({ url: server.url, publicKey: W0.publicKey, token: W0.token })).rejects.toThrow(NatsTransportError);
  });

  it("refuses a worker connection given another CA", async () => {
    await expect(connectNatsWorker({ url: server.url, publicKey: W0.publicKey, token: W0.token, caFile: otherCa.caFile })).rejects.toThrow(NatsTransportError);
  });

  it("refuses a server whose certificate (signed by the pool's CA) names another host", async () => {
    // Signed by the pool's own CA, for nats.example.org only.
    const wrongHost = { certFile: join(dir, "wrong-host.pem"), keyFile: join(dir, "wrong-host.key") };
    await run("openssl", ["req", "-x509", "-CA", certs.caFile, "-CAkey", certs.caKeyFile, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", wrongHost.keyFile, "-out", wrongHost.certFile, "-days", "1", "-subj", "/CN=nats.example.org", "-addext", "subjectAltName=DNS:nats.example.org"]);
    const other = await startNatsServer({ dir: join(dir, "nats-wrong-host"), users: [COORDINATOR, W0.user], tls: { certFile: wrongHost.certFile, keyFile: wrongHost.keyFile } });
    try {
      await expect(connectNatsWorker({ url: other.url, publicKey: W0.publicKey, token: W0.token, caFile: certs.caFile })).rejects.toThrow(NatsTransportError);
      // The same CA and host with the right certificate connects: the refusal is the host name's.
      const ok = await connectNatsWorker({ url: server.url, publicKey: W0.publicKey, token: W0.token, caFile: certs.caFile });
      opened.push(ok.nc);
    } finally {
      await other.stop();
    }
  });

  it("refuses a plain-text client (the server requires TLS)", async () => {
    await expect(connect({ servers: server.url, user: COORDINATOR.user, pass: COORDINATOR.password, tls: null, maxReconnectAttempts: 0 })).rejects.toThrow();
  });

  it("runs a pool job on a worker process that verifies the server with --nats-ca", async () => {
    const store = await createLocalContentStore({ dir: join(dir, "store") });
    const baseBytes = modelToGguf(model);
    const baseModelRoot = (await store.put(baseBytes)).root;
    const basePath = join(dir, "base.gguf");
    await writeFile(basePath, baseBytes);
    const reexecute = createReexecutor({ store, model, baseModelRoot });
    const nc = await connect({ servers: server.url, user: COORDINATOR.user, pass: COORDINATOR.password, tls: natsTlsOptions({ url: server.url, caFile: certs.caFile }) });
    opened.push(nc);
    const worker = await spawnNatsWorker({ dir, url: server.url, index: 0, storeDir: join(dir, "store"), basePath, extra: ["--nats-ca", certs.caFile, "--once"] });
    spawned.push(worker);
    const { hashes, sequences } = exampleSequences("tls", 4);
    const job = planTrainingJob({ forge: FORGE, baseModelRoot, exampleHashes: hashes, hyper: { ...hyper("tls"), steps: 3 }, sequences });
    const pool = createComputePool({
      workers: [createNatsWorkerClient({ nc, computeId: 0, publicKey: W0.publicKey, timeoutMs: 60_000, pollIntervalMs: 200 })],
      publicSeed: "0xtls",
      verification: { policy: "full" },
      reexecute,
      store,
      workerTimeoutMs: 60_000,
    });
    const out = await pool.train(job, sequences);
    expect(out).toMatchObject({ computeId: 0, verified: true, adapterHash: (await reexecute(job, sequences)).adapterHash });
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toMatch(/"tls":|tls:\/\/|worker started/);
  }, 90_000);
});
