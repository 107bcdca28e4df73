import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessWorker } from "../../../coordinator/src/compute/createInProcessWorker.js";
import { connectNatsWorker } from "../../../coordinator/src/compute/nats/connectNatsWorker.js";
import { encodeNatsMessage, NATS_RESULT_KIND } from "../../../coordinator/src/compute/nats/natsMessages.js";
import { natsNames } from "../../../coordinator/src/compute/nats/natsNames.js";
import { runNatsWorker } from "../../../coordinator/src/compute/nats/runNatsWorker.js";
import { planTrainingJob } from "../../../coordinator/src/compute/planTrainingJob.js";
import type { TrainingJobResult } from "../../../coordinator/src/compute/types.js";
import { createLogger } from "../../../coordinator/src/log/createLogger.js";
import type { RegisteredCompute } from "../../../coordinator/src/service/createCoordinatorService.js";
import { createServiceWorkers } from "../../../coordinator/src/service/createServiceWorkers.js";
import { exampleSequences, FORGE, hyper, tinyBase } from "../compute/computeFixtures.js";
import { COORDINATOR, startNatsTestbed, waitFor, workerIdentity, type NatsTestbed } from "../compute/fixtures/natsFixtures.js";

const model = tinyBase("service-workers");
const W0 = workerIdentity(0);
/** Worker 0 as the factory lists it (the addresses do not matter here). */
const REGISTERED: RegisteredCompute[] = [{ computeId: 0, worker: FORGE, signer: FORGE, ed25519PublicKey: W0.publicKey, capacity: 1, ed25519Signature: `0x${"00".repeat(64)}` }];
let bed: NatsTestbed;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  bed = await startNatsTestbed({ prefix: "service-workers-", model, users: [COORDINATOR, W0.user] });
});
afterAll(async () => {
  for (const c of [...connections, bed?.nc]) if (c && !c.isClosed()) await c.close();
  await bed?.server.stop();
  if (bed) await rm(bed.dir, { recursive: true, force: true });
});

describe("createServiceWorkers (the service's workersFor)", () => {
  it("gives a registered remote worker a NATS client, and logs a result its key did not sign as a stolen token to revoke, while the worker's own result is still taken", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
    const workersFor = createServiceWorkers({ embeddedKeys: [], nats: bed.nc, queueDir: join(bed.dir, "queue"), timeoutMs: 60_000, store: bed.store, logger });
    const [worker] = workersFor({ forge: FORGE, registered: REGISTERED, model, baseModelRoot: bed.baseModelRoot });

    const { hashes, sequences } = exampleSequences("service-workers", 4);
    const job = planTrainingJob({ forge: FORGE, baseModelRoot: bed.baseModelRoot, exampleHashes: hashes, hyper: { ...hyper("service-workers"), steps: 2 }, sequences });
    const running = worker.run(job, sequences);
    running.catch(() => undefined);
    const names = natsNames(FORGE, W0.publicKey);
    await waitFor(async () => (await bed.jsm.streams.getMessage(names.jobsStream, { last_by_subj: names.jobSubject(job.jobId) }).catch(() => null)) !== null, 10_000, "job queued over NATS");

    // A thief with W0's token answers first with a result W0's key did not sign.
    const honest = createInProcessWorker({ computeId: 0, ed25519PrivateKey: W0.privateKey, model, baseModelRoot: bed.baseModelRoot, store: bed.store });
    const genuine = await honest.run(job, sequences);
    const { nc: thief } = await connectNatsWorker({ url: bed.server.url, publicKey: W0.publicKey, token: W0.token });
    connections.push(thief);
    const forged: TrainingJobResult = { ...genuine, adapterRoot: `0x${"ee".repeat(32)}`, signature: `0x${"00".repeat(64)}` };
    await jetstream(thief).publish(names.resultSubject(job.jobId), encodeNatsMessage({ kind: NATS_RESULT_KIND, result: forged }));
    await waitFor(async () => lines.some((l) => /someone else holds the NATS token of worker 0/.test(l)), 10_000, "the stolen token logged");
    const logged = JSON.parse(lines.find((l) => /someone else holds the NATS token/.test(l))!) as Record<string, unknown>;
    expect(logged).toMatchObject({ level: 50, computeId: 0, workerPublicKey: W0.publicKey, jobId: job.jobId, reason: "bad-signature", event: "transport-compromised" });
    expect(String(logged.msg)).toMatch(/revoke the token .* give the worker a new one/);

    // The real worker answers; its result is the one returned.
    const { nc: wnc } = await connectNatsWorker({ url: bed.server.url, publicKey: W0.publicKey, token: W0.token });
    connections.push(wnc);
    const controller = new AbortController();
    const loop = runNatsWorker({ nc: wnc, forge: FORGE, publicKey: W0.publicKey, ed25519PrivateKey: W0.privateKey, workerFor: () => honest, signal: controller.signal, pullExpiresMs: 1_000 });
    expect(await running).toEqual(genuine);
    controller.abort();
    await loop;
  }, 60_000);

  it("trains an embedded key's worker in this process, whatever the transport", async () => {
    const logger = createLogger({ level: "silent" });
    const workersFor = createServiceWorkers({ embeddedKeys: [new Uint8Array(Buffer.from(W0.privateKey.slice(2), "hex"))], nats: bed.nc, queueDir: join(bed.dir, "queue"), timeoutMs: 1_000, store: bed.store, logger });
    const [worker] = workersFor({ forge: FORGE, registered: REGISTERED, model, baseModelRoot: bed.baseModelRoot });
    const { hashes, sequences } = exampleSequences("embedded", 4);
    const job = planTrainingJob({ forge: FORGE, baseModelRoot: bed.baseModelRoot, exampleHashes: hashes, hyper: { ...hyper("embedded"), steps: 2 }, sequences });
    // No worker process listens: only an in-process trainer can answer within the 1 s timeout.
    const out = await worker.run(job, sequences);
    expect(out.jobId).toBe(job.jobId);
    const names = natsNames(FORGE, W0.publicKey);
    expect(await bed.jsm.streams.getMessage(names.jobsStream, { last_by_subj: names.jobSubject(job.jobId) }).catch(() => null)).toBeNull();
  });
});
