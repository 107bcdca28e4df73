import { ServerBusyError } from "../errors.js";
import { GenerationAbortedError } from "./errors.js";

export interface CreateConcurrencyLimiterParameters {
  /** Calls running at once (≥ 1). */
  maxConcurrent: number;
  /** Calls waiting for a slot (≥ 0); one more is refused with `ServerBusyError`. */
  maxQueue: number;
}

export interface ConcurrencyLimiter {
  readonly running: number;
  readonly queued: number;
  /**
   * Wait for a slot (first come, first served) and hold it until the returned release is called.
   * @throws ServerBusyError at once when `maxConcurrent` run and `maxQueue` wait; GenerationAbortedError when `signal` aborts while queued.
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Rejects every queued call with `error`; running ones keep their slots. */
  rejectQueued(error: Error): void;
}

/** A FIFO semaphore with a bounded wait queue: back-pressure for generation. */
export function createConcurrencyLimiter({ maxConcurrent, maxQueue }: CreateConcurrencyLimiterParameters): ConcurrencyLimiter {
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError(`maxConcurrent ${maxConcurrent} must be an integer ≥ 1`);
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError(`maxQueue ${maxQueue} must be an integer ≥ 0`);
  let running = 0;
  const waiting: { grant: () => void; fail: (e: Error) => void }[] = [];

  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running--;
      const next = waiting.shift();
      if (next) {
        running++;
        next.grant();
      }
    };
  };

  return {
    get running() {
      return running;
    },
    get queued() {
      return waiting.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(new GenerationAbortedError(0, { cause: signal.reason }));
      if (running < maxConcurrent) {
        running++;
        return Promise.resolve(releaser());
      }
      if (waiting.length >= maxQueue) return Promise.reject(new ServerBusyError(running, waiting.length, maxQueue));
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(new GenerationAbortedError(0, { cause: signal?.reason }));
        };
        const entry = {
          grant: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve(releaser());
          },
          fail: (e: Error) => {
            signal?.removeEventListener("abort", onAbort);
            reject(e);
          },
        };
        waiting.push(entry);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    rejectQueued(error) {
      for (const w of waiting.splice(0)) w.fail(error);
    },
  };
}
