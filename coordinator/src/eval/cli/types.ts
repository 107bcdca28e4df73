import type { ProgressStream } from "../../util/progress.js";

/** Where a command writes and how it is stopped; main.ts passes the process's, tests their own. */
export interface CliIo {
  /** Results (tables, paths, JSON). */
  out: (text: string) => void;
  /** Progress and diagnostics (process.stderr). */
  err: ProgressStream;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
