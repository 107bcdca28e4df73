// First import: keeps Node's SQLite ExperimentalWarning (the gateway's ledger) out of the output, unless --verbose.
import "../../coordinator/src/log/installQuietNodeWarnings.js";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { Writable } from "node:stream";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";

// Loaded after the line above has run: a static import would load node:sqlite (a built-in, linked
// before any module body runs) and its warning would print before the filter is in place.
const { startAppStack } = await import("./startAppStack.js");
const { summarizeWorkerLog } = await import("./summarizeWorkerLog.js");
const { formatStackSummary } = await import("./formatStackSummary.js");

/**
 * `npm run app`: the local stack behind the Forge page (see startAppStack), seeded with a LIVE
 * Ingot and an OPEN Forge, and a short summary printed (URLs, accounts, what is seeded and
 * running). Ctrl-C stops everything.
 * `--no-live` skips the LIVE Ingot (ready in seconds instead of about three minutes on a shared
 * 2-core machine); `--port N` fixes the page's port; `--verbose` prints the structured logs (coordinator, gateway, worker) and Node's
 * warnings here instead of into .ingotforge/app-logs/.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const verbose = args.includes("--verbose");
const workDir = await mkdtemp(path.join(tmpdir(), "ingotforge-app-"));
const logDir = path.join(root, ".ingotforge/app-logs");
await mkdir(logDir, { recursive: true });
const stackLog = path.join(logDir, "stack.log");
const workerLog = path.join(logDir, "worker.log");
await Promise.all([writeFile(stackLog, ""), writeFile(workerLog, "")]);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;
// Quiet: every line into the log file, and an error (level 50+) also as one readable line here.
const errorsInWords = new Writable({
  write(chunk: Buffer, _encoding, done) {
    let entry: { msg?: string; component?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(chunk.toString()) as typeof entry;
    } catch {
      entry = { msg: chunk.toString().trim() };
    }
    console.error(`${elapsed()}  ${entry.component ?? "stack"}: ERROR ${entry.msg ?? ""}${entry.err?.message ? `: ${entry.err.message}` : ""} (details: ${path.relative(root, stackLog)})`);
    done();
  },
});
const logger = verbose
  ? pino({ level: "info" }, pino.destination(2))
  : pino({ level: "info" }, pino.multistream([{ level: "info", stream: pino.destination({ dest: stackLog, sync: true }) }, { level: "error", stream: errorsInWords }]));

let stopStack: (() => Promise<void>) | undefined;
// Until the summary is printed, the LIVE seed reports its own progress (coalitions): its worker's job lines would double it.
let ready = false;
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping…");
  try {
    await stopStack?.();
    // Best effort: a seed still running may be writing here while it is removed.
    await rm(workDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  } finally {
    process.exit(0);
  }
};
// Registered before the start, which takes minutes with the LIVE seed: Ctrl-C then still stops the node.
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
const stack = await startAppStack({
  onStop: (stop) => (stopStack = stop),
  root,
  workDir,
  live: !args.includes("--no-live"),
  logger,
  workerLogFile: workerLog,
  onWorkerLog: (entry) => {
    if (verbose) return void process.stderr.write(`worker ${JSON.stringify(entry)}\n`);
    const line = summarizeWorkerLog(entry);
    if (line && (ready || entry.level >= 50)) console.log(`${elapsed()}  ${line}`);
  },
  ...(portArg >= 0 ? { appPort: Number(args[portArg + 1]) } : {}),
  print: (line) => console.log(`${elapsed()}  ${line}`),
}).catch(async (err: Error) => {
  console.error(`\nThe stack did not start: ${err.message}${verbose ? "" : `\n(details: ${stackLog}, ${workerLog}; or run again with --verbose)`}`);
  await rm(workDir, { recursive: true, force: true });
  process.exit(1);
});

ready = true;
console.log(`\n${formatStackSummary(stack, { seconds: (Date.now() - started) / 1000, logDir: verbose ? undefined : path.relative(root, logDir) })}`);
