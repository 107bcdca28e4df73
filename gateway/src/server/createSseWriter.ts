/** The clock and timer an SSE writer uses (default `performance.now` and the global timers). */
export interface SseClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Where the events go: the HTTP response. */
export interface SseSink {
  write(chunk: string): unknown;
  end(chunk: string): unknown;
}

export interface SseWriter {
  /**
   * Queue one `data:` event. It is written at once when the last write is at least the flush
   * interval old; otherwise it waits for the flush at the end of that interval, together with
   * every event queued before then.
   */
  send(data: unknown): void;
  /** Queue one `data:` event for the next write (a flush or `end`) without starting one. */
  hold(data: unknown): void;
  /** Write what is queued, then `tail`, in one write that ends the response. */
  end(tail?: string): void;
  /** Drop what is queued and stop the timer (the client is gone). */
  cancel(): void;
  /**
   * Events handed to the sink so far (by a flush or `end`), in the order they were queued: what
   * reached the socket. Events dropped by `cancel` are not counted.
   */
  readonly written: number;
}

export interface CreateSseWriterParameters {
  sink: SseSink;
  /** Least time between two writes, ms; 0 writes every event as it comes. */
  flushIntervalMs: number;
  clock?: SseClock;
}

const systemClock: SseClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A server-sent-events writer that writes to the socket at most once per flush interval. When a
 * model makes tokens faster than that (a small model on a fast machine: hundreds a second), the
 * tokens of one interval go out in one write, so the client process is woken, and the gateway's
 * event loop makes a syscall, once per interval instead of once per token; the generation loop,
 * which runs on that event loop, loses less time to the socket. When tokens come slower than the
 * interval (most models), every token is written the moment it comes, as before: the first event
 * after a quiet interval is never held back.
 */
export function createSseWriter({ sink, flushIntervalMs, clock = systemClock }: CreateSseWriterParameters): SseWriter {
  if (!(flushIntervalMs >= 0) || !Number.isFinite(flushIntervalMs)) throw new RangeError(`flushIntervalMs must be a finite number ≥ 0, got ${flushIntervalMs}`);
  let queued = "";
  let queuedEvents = 0;
  let written = 0;
  let timer: unknown;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let done = false;

  const flush = () => {
    timer = undefined;
    if (done || queued.length === 0) return;
    lastWrite = clock.now();
    const text = queued;
    queued = "";
    written += queuedEvents;
    queuedEvents = 0;
    sink.write(text);
  };
  const hold = (data: unknown) => {
    if (done) return;
    queued += `data: ${JSON.stringify(data)}\n\n`;
    queuedEvents++;
  };
  const stopTimer = () => {
    if (timer === undefined) return;
    clock.clearTimeout(timer);
    timer = undefined;
  };

  return {
    hold,
    send(data) {
      if (done) return;
      hold(data);
      if (timer !== undefined) return;
      const wait = lastWrite + flushIntervalMs - clock.now();
      if (wait <= 0) flush();
      else timer = clock.setTimeout(flush, wait);
    },
    end(tail = "") {
      if (done) return;
      done = true;
      stopTimer();
      const text = queued + tail;
      queued = "";
      written += queuedEvents;
      queuedEvents = 0;
      sink.end(text);
    },
    cancel() {
      done = true;
      stopTimer();
      queued = "";
      queuedEvents = 0;
    },
    get written() {
      return written;
    },
  };
}
