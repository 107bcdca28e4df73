import { spawn } from "node:child_process";
import type { Logger } from "pino";
import { ExternalTrainerFailedError, ExternalTrainerTimeoutError } from "./errors.js";

export interface RunTrainerCommandParameters {
  jobId: string;
  command: string;
  /** Arguments before the job directory, which is always the last argument. */
  args: readonly string[];
  jobDir: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Fires on abort: the process group is killed and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL to the process group (default 5 s). */
  killGraceMs?: number;
  logger?: Logger;
}

export interface RunTrainerCommandReturnType {
  stdoutTail: string;
  stderrTail: string;
  ms: number;
}

const TAIL_BYTES = 4096;

/**
 * Runs `command ...args jobDir` in its own process group (cwd = jobDir) and waits for it. Exit 0
 * resolves; anything else rejects with the stderr tail. On timeout or abort the whole group
 * (the trainer and whatever it started) gets SIGTERM, then SIGKILL after the grace period; once
 * the trainer has exited, anything it left running in its group is killed too.
 */
export function runTrainerCommand(params: RunTrainerCommandParameters): Promise<RunTrainerCommandReturnType> {
  const started = Date.now();
  const graceMs = params.killGraceMs ?? 5_000;
  return new Promise((resolve, reject) => {
    if (params.signal?.aborted) {
      reject(params.signal.reason);
      return;
    }
    const child = spawn(params.command, [...params.args, params.jobDir], {
      cwd: params.jobDir,
      env: params.env,
      detached: true, // its own process group, so a kill reaches everything it started
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const keepTail = (tail: string, chunk: Buffer) => {
      const s = tail + chunk.toString("utf8");
      return s.length > TAIL_BYTES ? s.slice(s.length - TAIL_BYTES) : s;
    };
    child.stdout!.on("data", (c: Buffer) => (stdout = keepTail(stdout, c)));
    child.stderr!.on("data", (c: Buffer) => (stderr = keepTail(stderr, c)));

    let stopping: { kind: "timeout" } | { kind: "abort"; reason: unknown } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is gone already
      }
    };
    const stop = (why: NonNullable<typeof stopping>) => {
      if (stopping) return;
      stopping = why;
      params.logger?.warn({ jobId: params.jobId, pid: child.pid, why: why.kind }, "stopping the external trainer");
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), graceMs);
    };
    const timer = setTimeout(() => stop({ kind: "timeout" }), params.timeoutMs);
    const onAbort = () => stop({ kind: "abort", reason: params.signal!.reason });
    params.signal?.addEventListener("abort", onAbort, { once: true });
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;

    child.on("error", (error) => {
      spawnError = error;
      if (child.pid === undefined) finish(); // never started: no exit or close may follow
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // Nothing the trainer started may outlive it (or keep its pipes open).
      killGroup("SIGKILL");
    });
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      params.signal?.removeEventListener("abort", onAbort);
      const stderrTail = stderr.trimEnd();
      if (stopping?.kind === "abort") return reject(stopping.reason);
      if (stopping?.kind === "timeout") return reject(new ExternalTrainerTimeoutError(params.jobId, params.timeoutMs, stderrTail));
      if (spawnError || !exit) {
        return reject(new ExternalTrainerFailedError(params.jobId, null, null, stderrTail, `could not run ${params.command}: ${spawnError?.message ?? "no exit status"}`, spawnError));
      }
      if (exit.code !== 0) {
        const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
        return reject(new ExternalTrainerFailedError(params.jobId, exit.code, exit.signal, stderrTail, `${params.command} ${how}`));
      }
      resolve({ stdoutTail: stdout, stderrTail, ms: Date.now() - started });
    };
    child.on("close", finish);
  });
}
