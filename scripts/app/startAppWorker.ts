import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import { killGroup } from "../lib/killGroup.js";
import { waitForExit } from "../lib/waitForExit.js";
import { AppWorkerError } from "./errors.js";

/** How long the worker process may take to load its key and the base model and say "worker started". */
const START_TIMEOUT_MS = 120_000;

/** One line of the worker's pino log, parsed (`msg`, `level` and whatever fields it logged). */
export type WorkerLogEntry = { msg: string; level: number } & Record<string, unknown>;

export interface StartAppWorkerParameters {
  /** The repository root (the worker CLI lives under coordinator/src/compute/cli). */
  root: string;
  /** The Forge whose file-queue jobs this worker takes. */
  forge: Address;
  /** The worker's Ed25519 key file (either format the project writes: the CLI's JSON or one hex line). */
  keyFile: string;
  /** The coordinator's file queue (`<queue>/<forge>/jobs|claimed|results`). */
  queueDir: string;
  /** The local content store's directory (the adapters the worker trains are put there). */
  storeDir: string;
  /** The base model GGUF the Forge names (its root must match the Forge's baseModelRoot). */
  baseModelPath: string;
  /** Every log line the worker writes, parsed, as it comes. */
  onLog?: (entry: WorkerLogEntry) => void;
  /** Also append the raw log here. */
  logFile?: string;
}

export interface AppWorker {
  pid: number;
  /** The command line a person would type for the same worker (`npm run worker -- …`). */
  command: string;
  /** What the worker has logged so far, in order. */
  logs: WorkerLogEntry[];
  /** Resolves when the process has exited, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (the worker releases an unfinished job back to the queue), SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * A compute worker as its own process, exactly what `npm run worker -- --forge … --key …
 * --queue … --store … --base …` starts (coordinator/src/compute/cli/worker.ts): it takes the jobs
 * addressed to its key from the coordinator's file queue, trains them, stores the adapters and
 * signs the results. Resolves once the worker has logged "worker started"; rejects with its log's
 * tail when it exits first.
 */
export async function startAppWorker(p: StartAppWorkerParameters): Promise<AppWorker> {
  const args = ["--forge", p.forge, "--key", p.keyFile, "--queue", p.queueDir, "--store", p.storeDir, "--base", p.baseModelPath, "--log-level", "info"];
  const child = spawn(process.execPath, ["--import", "tsx", path.join(p.root, "coordinator/src/compute/cli/worker.ts"), ...args], {
    cwd: p.root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, INGOTFORGE_THREADS: process.env.INGOTFORGE_THREADS ?? "1" },
  });
  const logs: WorkerLogEntry[] = [];
  const raw = p.logFile ? createWriteStream(p.logFile, { flags: "a" }) : undefined;
  let tail = "";
  let pending = "";
  let started: (() => void) | undefined;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const onChunk = (chunk: Buffer) => {
    raw?.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      let entry: WorkerLogEntry;
      try {
        entry = JSON.parse(line) as WorkerLogEntry;
      } catch {
        continue;
      }
      logs.push(entry);
      p.onLog?.(entry);
      if (entry.msg === "worker started") started?.();
    }
  };
  child.stdout!.on("data", onChunk);
  child.stderr!.on("data", onChunk);
  const exited = waitForExit(child);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    raw?.end();
  };
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    startedPromise.then(() => "started" as const),
    exited.then((e) => `exited (code ${e.code ?? e.signal})` as const),
    new Promise<"timed out">((resolve) => (timer = setTimeout(() => resolve("timed out"), START_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (outcome !== "started") {
    await stop();
    throw new AppWorkerError(`The worker process ${outcome} before it started: ${tail.trim().slice(-1500)}`, {
      hint: `Run it by hand to see why: npm run worker -- ${args.join(" ")}`,
    });
  }
  return { pid: child.pid!, command: `npm run worker -- ${args.join(" ")}`, logs, exited, stop };
}
