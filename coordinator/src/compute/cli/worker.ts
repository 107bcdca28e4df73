#!/usr/bin/env node
// Compute worker process: takes this key's jobs for one Forge from the file queue or from NATS
// JetStream, trains them, stores the adapters and signs the results; in-run feature jobs (in-run
// attribution's checkpoints and projected per-example gradients) are run and signed the same way. Ctrl-C (SIGINT) or SIGTERM
// stops after the current training step and puts the unfinished job back in the queue (NATS: naks
// it for redelivery).
//
//   npx tsx coordinator/src/compute/cli/worker.ts --forge 0x… --key worker.key [--queue .ingotforge/queue] \
//     [--store .ingotforge/store] --base model.gguf [--once] [--poll-ms 250] [--log-level info]
// Without --queue and --nats it takes the coordinator's default file queue on this machine
// (<INGOTFORGE_DATA_DIR or .ingotforge>/queue); without --store, the store every command shares
// (INGOTFORGE_STORAGE_DIR, else <INGOTFORGE_DATA_DIR or .ingotforge>/store).
//   npx tsx coordinator/src/compute/cli/worker.ts --forge 0x… --key worker.key \
//     --nats nats://127.0.0.1:4222 --nats-token-file worker.token [--nats-ca ca.pem] --store ./store --base model.gguf [--once]
//   npx tsx coordinator/src/compute/cli/worker.ts --key worker.key --generate-key     (new key, prints its public key)
//   npx tsx coordinator/src/compute/cli/worker.ts --key worker.key --print-public-key (the key to register on-chain)
import { readFile } from "node:fs/promises";
import type { ParseArgsOptionsConfig } from "node:util";
import { pino } from "pino";
import { isAddress, type Hex } from "viem";
import { ggufToModel } from "../../eval/model/ggufToModel.js";
import type { TrainProgress } from "../../eval/train/types.js";
import { createLogger } from "../../log/createLogger.js";
import { defaultQueueDir } from "../../util/defaultQueueDir.js";
import { defaultStoreDir } from "../../util/defaultStoreDir.js";
import { computeContentRoot } from "../../storage/computeContentRoot.js";
import { createLocalContentStore } from "../../storage/createLocalContentStore.js";
import { createInProcessWorker } from "../createInProcessWorker.js";
import { createCommandWorker } from "../external/createCommandWorker.js";
import { ed25519PublicKeyOf } from "../ed25519Keys.js";
import { runQueueWorker } from "../fileQueue/runQueueWorker.js";
import { connectNatsWorker } from "../nats/connectNatsWorker.js";
import { runNatsWorker } from "../nats/runNatsWorker.js";
import { readEd25519KeyFile } from "../readEd25519KeyFile.js";
import { writeEd25519KeyFile } from "../writeEd25519KeyFile.js";
import { withInRunFeatures } from "../inRun/withInRunFeatures.js";
import type { InRunWorker } from "../inRun/types.js";
import type { ComputeWorker } from "../types.js";
import { runCommandLine, UsageError, type CommandLineValues } from "./runCommandLine.js";

const USAGE =
  "usage: worker --forge <address> --key <ed25519 key file> [--queue <dir>] [--store <dir>] --base <model.gguf> [--once] [--poll-ms N] [--log-level L | --verbose]\n" +
  "         (defaults: --queue <INGOTFORGE_DATA_DIR or .ingotforge>/queue, the coordinator's; --store INGOTFORGE_STORAGE_DIR, else <INGOTFORGE_DATA_DIR or .ingotforge>/store)\n" +
  "       worker --forge <address> --key <ed25519 key file> --nats <url> --nats-token-file <file> [--nats-ca <ca.pem>] [--store <dir>] --base <model.gguf> [--once] [--poll-ms N] [--log-level L]\n" +
  "       either form + --trainer-command <cmd> [--trainer-arg A …] [--trainer-timeout-ms N] [--work-dir D]\n" +
  "         (an external trainer under the job contract of coordinator/src/compute/external/README.md)\n" +
  "       worker --key <file> --generate-key | --print-public-key";

const OPTIONS = {
  forge: { type: "string" },
  key: { type: "string" },
  queue: { type: "string" },
  nats: { type: "string" },
  "nats-token-file": { type: "string" },
  "nats-ca": { type: "string" },
  store: { type: "string" },
  base: { type: "string" },
  once: { type: "boolean", default: false },
  "poll-ms": { type: "string", default: "250" },
  "log-level": { type: "string", default: "info" },
  verbose: { type: "boolean", default: false },
  "trainer-command": { type: "string" },
  "trainer-arg": { type: "string", multiple: true, default: [] },
  "trainer-timeout-ms": { type: "string", default: "3600000" },
  "work-dir": { type: "string", default: "./.ingotforge/worker-jobs" },
  "generate-key": { type: "boolean", default: false },
  "print-public-key": { type: "boolean", default: false },
} satisfies ParseArgsOptionsConfig;

async function main(values: CommandLineValues<typeof OPTIONS>): Promise<number> {
  if (values["generate-key"] || values["print-public-key"]) {
    if (!values.key) {
      throw new UsageError(`missing --key`);
    }
    const publicKey = values["generate-key"] ? (await writeEd25519KeyFile(values.key)).publicKey : ed25519PublicKeyOf((await readEd25519KeyFile(values.key)).privateKey);
    process.stdout.write(`${publicKey}\n`);
    return 0;
  }
  const missing = (["forge", "key", "base"] as const).filter((k) => !values[k]);
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
  }
  if (values.queue && values.nats) {
    throw new UsageError(`pass one of --queue <dir> and --nats <url>, not both`);
  }
  const queueDir = values.nats ? undefined : (values.queue ?? defaultQueueDir(process.env));
  const storeDir = values.store ?? defaultStoreDir(process.env);
  if (values.nats && !values["nats-token-file"]) {
    throw new UsageError(`--nats needs --nats-token-file (the worker's bearer token)`);
  }
  if (!isAddress(values.forge!, { strict: false })) {
    throw new UsageError(`--forge ${values.forge} is not an address`);
  }
  const trainerTimeoutMs = Number(values["trainer-timeout-ms"]);
  if (!Number.isInteger(trainerTimeoutMs) || trainerTimeoutMs < 1_000) {
    throw new UsageError(`--trainer-timeout-ms must be an integer ≥ 1000`);
  }
  const pollMs = Number(values["poll-ms"]);
  if (!Number.isInteger(pollMs) || pollMs < 10) {
    throw new UsageError(`--poll-ms must be an integer ≥ 10`);
  }

  // --verbose: debug lines too (llama.cpp's expected warnings among them).
  // A terminal gets lines for a person; a file or a pipe, JSON lines (INGOTFORGE_LOG_FORMAT=json|pretty decides).
  const pretty = process.env.INGOTFORGE_LOG_FORMAT ? process.env.INGOTFORGE_LOG_FORMAT === "pretty" : process.stderr.isTTY === true;
  const logger = createLogger({ name: "worker", level: values.verbose ? "debug" : (values["log-level"] as "info"), destination: pino.destination(2), pretty });
  const { privateKey, looselyPermitted } = await readEd25519KeyFile(values.key!);
  if (looselyPermitted) logger.warn({ keyFile: values.key }, "the key file is readable by group or others; chmod 600 it");
  const publicKey = ed25519PublicKeyOf(privateKey);
  const baseBytes = new Uint8Array(await readFile(values.base!));
  const baseModelRoot = await computeContentRoot(baseBytes);
  const model = ggufToModel(baseBytes);
  const store = await createLocalContentStore({ dir: storeDir });

  // Long jobs show progress: one structured line per job step, at most every 5 seconds (and the last step).
  let lastProgressAt = 0;
  const logProgress = (p: TrainProgress & { jobId: Hex }) => {
    const now = Date.now();
    if (now - lastProgressAt < 5_000 && p.step < p.totalSteps) return;
    lastProgressAt = now;
    logger.info({ jobId: p.jobId, step: p.step, totalSteps: p.totalSteps, loss: p.loss, tokensPerSecond: Math.round(p.tokensPerSecond), etaSeconds: Math.round(p.etaSeconds) }, "training");
  };
  // Every worker also runs in-run feature jobs (in-run attribution's checkpoints and projected
  // per-example gradients), always with the deterministic trainer in this process: duplication
  // compares them bit for bit, which no external trainer promises.
  const workers = new Map<number, ComputeWorker & InRunWorker>();
  const workerFor = (computeId: number) => {
    let w = workers.get(computeId);
    if (!w) {
      const trainer: ComputeWorker = values["trainer-command"]
        ? createCommandWorker({
            computeId,
            key: privateKey,
            store,
            command: values["trainer-command"],
            args: values["trainer-arg"] as string[],
            timeoutMs: trainerTimeoutMs,
            workDir: values["work-dir"]!,
            baseModelPath: values.base!,
            logger,
          })
        : createInProcessWorker({ computeId, ed25519PrivateKey: privateKey, model, baseModelRoot, store, logger, onProgress: logProgress });
      w = withInRunFeatures(trainer, { ed25519PrivateKey: privateKey, model, store, baseModelRoot });
      workers.set(computeId, w);
    }
    return w;
  };

  const controller = new AbortController();
  const stop = (signal: string) => {
    if (controller.signal.aborted) return;
    logger.info({ signal }, "stopping after the current training step");
    controller.abort(new Error(`stopped by ${signal}`));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  if (values.nats) {
    const { nc, looselyPermitted: tokenLoose } = await connectNatsWorker({ url: values.nats, tokenFile: values["nats-token-file"]!, publicKey, ...(values["nats-ca"] ? { caFile: values["nats-ca"] } : {}) });
    if (tokenLoose) logger.warn({ tokenFile: values["nats-token-file"] }, "the token file is readable by group or others; chmod 600 it");
    if (!values["nats-ca"]) logger.warn({ nats: values.nats }, "NATS without --nats-ca: the server is not checked against the pool's CA (a plain server sees the token in the clear)");
    logger.info({ forge: values.forge, publicKey, baseModelRoot, nats: nc.getServer(), once: values.once }, "worker started");
    try {
      const stats = await runNatsWorker({ nc, forge: values.forge as Hex, publicKey, ed25519PrivateKey: privateKey, workerFor, store, once: values.once, signal: controller.signal, pullExpiresMs: Math.max(pollMs, 1_000), logger });
      logger.info(stats, "worker stopped");
    } finally {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    }
    return 0;
  }
  // "worker started" is the line `npm run app` waits for (scripts/app/startAppWorker.ts); the
  // queue and store show as fields.
  logger.info({ forge: values.forge, publicKey, baseModelRoot, queue: queueDir, store: storeDir, once: values.once }, "worker started");
  const stats = await runQueueWorker({
    queueDir: queueDir!,
    forge: values.forge as Hex,
    publicKey,
    ed25519PrivateKey: privateKey,
    workerFor,
    store,
    once: values.once,
    signal: controller.signal,
    pollIntervalMs: pollMs,
    logger,
  });
  logger.info(stats, "worker stopped");
  return 0;
}

void runCommandLine({ name: "worker", usage: USAGE, options: OPTIONS, main });
