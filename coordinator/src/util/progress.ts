/**
 * Progress for long work (training steps, examples scored, subsets evaluated): counts, rate and
 * ETA. On a TTY a one-line bar is redrawn in place; anywhere else (CI logs, a daemon) a structured
 * log line is written every `logIntervalMs`, so a log never fills with redraws.
 *
 * Nothing is global: the stream, the logger and the clock are passed in, so a test can drive it.
 */

/** The part of a pino logger we use; a pino `Logger` fits. */
export interface ProgressLogger {
  info(obj: object, msg?: string): void;
}

/** Where the bar goes: `process.stderr` fits. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CreateProgressParameters {
  /** What is being counted, e.g. "train" or "score holdout". */
  label: string;
  /** Items expected in all; leave out when unknown (no ETA then). */
  total?: number;
  /** Unit shown after the counts, e.g. "steps", "tokens", "subsets". */
  unit?: string;
  /**
   * Items already done before this run (a resumed run found them cached). They count towards
   * `done` and the bar but not towards the rate, so the ETA is not fooled by free work.
   */
  initial?: number;
  logger?: ProgressLogger;
  stream?: ProgressStream;
  /** Milliseconds clock; defaults to `Date.now`. */
  now?: () => number;
  /** Minimum time between structured log lines (non-TTY). Default 5000 ms. */
  logIntervalMs?: number;
  /** Minimum time between bar redraws (TTY). Default 100 ms. */
  redrawIntervalMs?: number;
}

export interface ProgressSnapshot {
  label: string;
  done: number;
  total: number | undefined;
  unit: string;
  elapsedMs: number;
  /** Items per second over this run (initial items excluded); 0 before the first item. */
  ratePerSecond: number;
  /** Milliseconds left at the current rate; undefined without a total or a rate. */
  etaMs: number | undefined;
  /** done / total in [0, 1]; undefined without a total. */
  fraction: number | undefined;
}

export interface Progress {
  /** Count `count` more items (default 1). */
  tick(count?: number): void;
  /** Set the count of done items (e.g. from a callback that reports absolute counts). */
  update(done: number): void;
  /** Change the expected total (e.g. once it becomes known). */
  setTotal(total: number | undefined): void;
  snapshot(): ProgressSnapshot;
  /** Draw or log the final state once; later calls do nothing. */
  finish(): ProgressSnapshot;
}

const BAR_WIDTH = 24;

export function createProgress(params: CreateProgressParameters): Progress {
  const now = params.now ?? Date.now;
  const unit = params.unit ?? "items";
  const logIntervalMs = params.logIntervalMs ?? 5000;
  const redrawIntervalMs = params.redrawIntervalMs ?? 100;
  const tty = params.stream?.isTTY === true;
  const initial = params.initial ?? 0;
  checkCount("initial", initial);
  let total = params.total;
  if (total !== undefined) checkCount("total", total);
  const startedAt = now();
  let done = initial;
  let lastDrawAt = -Infinity;
  let lastLogAt = startedAt;
  let finished = false;

  const snapshot = (): ProgressSnapshot => {
    const elapsedMs = Math.max(0, now() - startedAt);
    const fresh = done - initial;
    const ratePerSecond = elapsedMs > 0 && fresh > 0 ? (fresh * 1000) / elapsedMs : 0;
    const left = total === undefined ? undefined : Math.max(0, total - done);
    const etaMs = left === undefined ? undefined : left === 0 ? 0 : ratePerSecond > 0 ? (left * 1000) / ratePerSecond : undefined;
    const fraction = total === undefined ? undefined : total === 0 ? 1 : Math.min(1, done / total);
    return { label: params.label, done, total, unit, elapsedMs, ratePerSecond, etaMs, fraction };
  };

  const emit = (force: boolean) => {
    if (finished) return;
    const t = now();
    if (tty) {
      if (!force && t - lastDrawAt < redrawIntervalMs) return;
      lastDrawAt = t;
      const line = formatProgressLine(snapshot());
      const width = params.stream?.columns && params.stream.columns > 1 ? params.stream.columns - 1 : 100;
      params.stream!.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
      return;
    }
    if (!force && t - lastLogAt < logIntervalMs) return;
    lastLogAt = t;
    writeLogLine(snapshot(), params, "progress");
  };

  return {
    tick(count = 1) {
      checkCount("tick count", count);
      done += count;
      emit(false);
    },
    update(value) {
      checkCount("done", value);
      done = value;
      emit(false);
    },
    setTotal(value) {
      if (value !== undefined) checkCount("total", value);
      total = value;
      emit(false);
    },
    snapshot,
    finish() {
      const snap = snapshot();
      if (finished) return snap;
      if (tty) {
        emit(true);
        params.stream!.write("\n");
        params.logger?.info(toLogFields(snap), `${params.label} finished`);
      } else {
        writeLogLine(snap, params, "finished");
      }
      finished = true;
      return snap;
    },
  };
}

function checkCount(what: string, value: number) {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`progress ${what} must be a finite number ≥ 0, got ${value}`);
}

function writeLogLine(snap: ProgressSnapshot, params: CreateProgressParameters, event: "progress" | "finished") {
  const msg = event === "finished" ? `${snap.label} finished` : `${snap.label} progress`;
  if (params.logger) params.logger.info(toLogFields(snap), msg);
  else params.stream?.write(`${formatProgressLine(snap)}${event === "finished" ? " done" : ""}\n`);
}

function toLogFields(snap: ProgressSnapshot) {
  return {
    task: snap.label,
    done: snap.done,
    total: snap.total,
    unit: snap.unit,
    rate: Number(snap.ratePerSecond.toPrecision(4)),
    elapsedS: Math.round(snap.elapsedMs / 100) / 10,
    etaS: snap.etaMs === undefined ? undefined : Math.round(snap.etaMs / 1000),
  };
}

/** `label [#####-------] 42/100 subsets 3.20/s ETA 18s` (no bar or ETA without a total). */
export function formatProgressLine(snap: ProgressSnapshot): string {
  const parts = [snap.label];
  if (snap.fraction !== undefined) {
    const filled = Math.round(snap.fraction * BAR_WIDTH);
    parts.push(`[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`);
    parts.push(`${snap.done}/${snap.total} ${snap.unit}`);
  } else {
    parts.push(`${snap.done} ${snap.unit}`);
  }
  parts.push(`${formatRate(snap.ratePerSecond)}/s`);
  if (snap.etaMs !== undefined) parts.push(`ETA ${formatDuration(snap.etaMs)}`);
  else if (snap.total !== undefined) parts.push("ETA ?");
  return parts.join(" ");
}

function formatRate(rate: number): string {
  if (rate >= 100) return rate.toFixed(0);
  if (rate >= 1) return rate.toFixed(2);
  return rate.toPrecision(2);
}

/** 850 ms → "1s", 125 s → "2m05s", 3725 s → "1h02m". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
