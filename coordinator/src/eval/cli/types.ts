import type { ProgressStream } from "../../util/progress.js";

/** Where a command writes and how it is stopped; main.ts passes the process's, tests their own. */
export interface CliIo {
  /** Results (tables, paths, JSON). */
  out: (text: string) => void;
  /** Progress and diagnostics (process.stderr). */
  err: ProgressStream;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** The environment (INGOTFORGE_THREADS); main.ts passes process.env, tests their own or none. */
  env?: Readonly<Record<string, string | undefined>>;
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
