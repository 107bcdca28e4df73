import { availableParallelism } from "node:os";

/** The environment variable every llama.cpp entry point reads its thread count from. */
export const THREADS_ENV = "INGOTFORGE_THREADS";

/** The default never asks for more than this many threads. */
export const MAX_DEFAULT_THREADS = 4;

/**
 * The thread count a llama.cpp engine gets when nothing sets one: all cores but one, at most 4,
 * at least 1. llama.cpp's own default takes every core, and on a 2-core machine with other work
 * running that made scoring 10–100× slower (one holdout scoring 418 s against 29.5 s with one
 * thread; TOOLCHAIN.md): spinning threads wait on a busy core. One core is left for Node and
 * whatever else runs, and the small models here gain little past 4 threads on a CPU.
 */
export function defaultThreads(cores: number = availableParallelism()): number {
  return Math.min(MAX_DEFAULT_THREADS, Math.max(1, Math.floor(cores) - 1));
}

/** A thread count that is not a whole number ≥ 1. Not retryable: fix the named setting. */
export class ThreadsError extends Error {
  override name = "ThreadsError";
}

export interface ResolveThreadsParameters {
  /** `--threads` as given on the command line (wins over everything). */
  flag?: string | number | undefined;
  /** The config file's value (loses to the flag and the environment). */
  config?: number | undefined;
  /** How the config value is named in messages (default "config"), e.g. "model.threads". */
  configName?: string;
  /** Usually `process.env`: INGOTFORGE_THREADS. */
  env?: Readonly<Record<string, string | undefined>>;
  /** CPUs to size the default for (default `os.availableParallelism()`). */
  cores?: number;
  /**
   * This entry point's own default instead of defaultThreads, with the reason shown, e.g. 1 for
   * the tiny demo model, where a second thread waits at barriers more than it computes.
   */
  fallback?: { threads: number; why: string };
}

export interface ResolveThreadsReturnType {
  threads: number;
  /** Where the count came from: "--threads", "INGOTFORGE_THREADS", the config name, or "default". */
  source: string;
  /** One line for the start of a run, e.g. "llama.cpp: 1 thread (default for 2 CPUs: ...)". */
  summary: string;
}

/**
 * The one rule for how many CPU threads a llama.cpp engine uses (gateway, coordinator service,
 * replay, eval CLI, demo, benchmarks): `--threads`, else INGOTFORGE_THREADS, else the config
 * file's value, else the entry point's stated fallback, else defaultThreads for this machine. Entry points print `summary` when they start.
 */
export function resolveThreads(params: ResolveThreadsParameters = {}): ResolveThreadsReturnType {
  const cores = params.cores ?? availableParallelism();
  const fromEnv = params.env?.[THREADS_ENV];
  const configName = params.configName ?? "config";
  let threads: number;
  let source: string;
  if (params.flag !== undefined) {
    threads = parseCount(params.flag, "--threads");
    source = "--threads";
  } else if (fromEnv !== undefined && fromEnv !== "") {
    threads = parseCount(fromEnv, THREADS_ENV);
    source = THREADS_ENV;
  } else if (params.config !== undefined) {
    threads = parseCount(params.config, configName);
    source = configName;
  } else if (params.fallback) {
    threads = parseCount(params.fallback.threads, "the fallback");
    source = "default";
  } else {
    threads = defaultThreads(cores);
    source = "default";
  }
  const how =
    source !== "default" ? `from ${source}` : params.fallback ? `default here: ${params.fallback.why}` : `default for ${cores} CPU${cores === 1 ? "" : "s"}: all but one, at most ${MAX_DEFAULT_THREADS}`;
  return { threads, source, summary: `llama.cpp: ${threads} thread${threads === 1 ? "" : "s"} (${how}; set --threads or ${THREADS_ENV} to change)` };
}

function parseCount(value: string | number, from: string): number {
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new ThreadsError(`${from} is ${JSON.stringify(value)}, not a whole number of threads ≥ 1. Set it to e.g. 1 on a busy 2-core machine, or leave it unset for the machine's default.`);
  }
  return n;
}
