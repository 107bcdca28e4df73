/** The part of a pino logger used here; a pino `Logger` fits. */
export interface WaitLogger {
  info(obj: object, msg?: string): void;
}

export interface CreateWaitReporterParameters {
  logger: WaitLogger;
  /** Between "still waiting" lines for one wait (default 30 s). */
  intervalMs?: number;
  /** Milliseconds clock; defaults to `Date.now`. */
  now?: () => number;
}

export interface WaitReporter {
  /**
   * Say that `key` is being waited for, described by `what` ("2 more blocks for Forge 0x… …"):
   * the first call logs at once, later calls log at most once per interval with the time waited.
   * Poll loops call it on every pass; `what` may change between calls.
   */
  waiting(key: string, what: string, fields?: Record<string, unknown>): void;
  /** The wait for `key` is over: logs how long it took, once; nothing if it was not waited for. */
  done(key: string, fields?: Record<string, unknown>): void;
  /**
   * Report `what` while `work` runs: nothing if it settles within one interval, else a "still
   * waiting" line every interval and a "done" line at the end.
   */
  during<T>(key: string, what: () => string, work: Promise<T>, fields?: Record<string, unknown>): Promise<T>;
  /** Keys waited for now. */
  pending(): string[];
}

/**
 * Says what a long-running process waits for (confirmations, a worker's result, a step of an eval)
 * and for how long, at intervals, so an idle-looking service is never silent for long: one line
 * when a wait starts, "still waiting … (Ns)" every `intervalMs`, and "… after Ns" when it ends.
 */
export function createWaitReporter(params: CreateWaitReporterParameters): WaitReporter {
  const now = params.now ?? Date.now;
  const intervalMs = params.intervalMs ?? 30_000;
  const waits = new Map<string, { since: number; loggedAt: number; what: string; logged: boolean }>();
  const seconds = (ms: number) => Math.round(ms / 100) / 10;

  const reporter: WaitReporter = {
    waiting(key, what, fields = {}) {
      const t = now();
      const w = waits.get(key);
      if (!w) {
        waits.set(key, { since: t, loggedAt: t, what, logged: true });
        params.logger.info({ wait: key, waitedS: 0, ...fields }, `waiting for ${what}`);
        return;
      }
      w.what = what;
      if (t - w.loggedAt < intervalMs) return;
      w.loggedAt = t;
      w.logged = true;
      params.logger.info({ wait: key, waitedS: seconds(t - w.since), ...fields }, `still waiting for ${what} (${formatSeconds(t - w.since)} so far)`);
    },
    done(key, fields = {}) {
      const w = waits.get(key);
      if (!w) return;
      waits.delete(key);
      if (!w.logged) return;
      const waited = now() - w.since;
      params.logger.info({ wait: key, waitedS: seconds(waited), ...fields }, `done waiting for ${w.what} after ${formatSeconds(waited)}`);
    },
    async during(key, what, work, fields) {
      // Quiet unless it lasts: the first line comes after one interval.
      if (!waits.has(key)) waits.set(key, { since: now(), loggedAt: now(), what: what(), logged: false });
      const timer = setInterval(() => reporter.waiting(key, what(), fields), Math.max(1, intervalMs));
      timer.unref?.();
      try {
        return await work;
      } finally {
        clearInterval(timer);
        reporter.done(key, fields);
      }
    },
    pending: () => [...waits.keys()],
  };
  return reporter;
}

/** 4200 → "4s", 125000 → "2m05s". */
function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
