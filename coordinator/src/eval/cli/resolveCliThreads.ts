import { resolveThreads, ThreadsError } from "../../util/resolveThreads.js";
import { CliUsageError } from "./errors.js";
import type { CliIo } from "./types.js";

/** The command's llama.cpp threads by the one rule (resolveThreads), shown on stderr; a bad count is a usage error. */
export function resolveCliThreads(flag: string | undefined, usage: string, io: CliIo, fallback?: { threads: number; why: string }): number {
  try {
    const { threads, summary } = resolveThreads({ flag, env: io.env ?? {}, ...(fallback ? { fallback } : {}) });
    io.err.write(`${summary}\n`);
    return threads;
  } catch (error) {
    if (error instanceof ThreadsError) throw new CliUsageError(error.message, usage);
    throw error;
  }
}
