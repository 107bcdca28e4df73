import type { Logger } from "pino";
import type { WitnessStore } from "../openWitnessStore.js";
import type { RekorEntry } from "../types.js";

/** Puts each time-stamped batch root in Rekor (the optional second public log), off every call's path. */
export interface RekorPublisher {
  /** A batch was stored: log it (and any earlier one not yet logged) now. */
  batchClosed(): void;
  /** Log every batch still waiting, now (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly stats: { entries: number; failures: number };
}

export interface CreateRekorPublisherParameters {
  store: WitnessStore;
  /** Log one root (64 hex) and return its entry (`logRootInRekor` bound to the URL and the signer). */
  log: (rootHex: string) => Promise<RekorEntry>;
  /** After a failure, try again this long later (or at the next batch). */
  retryMs: number;
  logger: Pick<Logger, "warn" | "debug">;
}

/**
 * The Rekor side of the witnesses: every stored batch whose root is not yet in Rekor is logged,
 * oldest first, one entry per batch and one request at a time, and the entry (with its Sigstore
 * bundle) is kept with the batch, so proofs carry it as `witness.rekor`. A failure (Rekor
 * unreachable, refusing) is logged and tried again after `retryMs` or at the next batch; batch
 * closing and anchoring never wait for it. At start, batches stored and not yet logged (by a
 * previous run, or before `witness.rekor` was set) are logged at once.
 */
export function createRekorPublisher({ store, log, retryMs, logger }: CreateRekorPublisherParameters): RekorPublisher {
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let again = false;
  const stats = { entries: 0, failures: 0 };

  const run = (): Promise<void> => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    inFlight = (async () => {
      do {
        again = false;
        for (const batch of store.unlogged(16)) {
          try {
            const entry = await log(batch.root);
            store.setRekor(batch.batch, entry);
            stats.entries++;
            logger.debug({ batch: batch.batch, logIndex: entry.log_index }, "proof batch root logged in Rekor");
          } catch (error) {
            stats.failures++;
            logger.warn({ err: error, batch: batch.batch }, "could not log a proof batch root in Rekor; tried again later");
            return arm();
          }
        }
      } while ((again || store.unlogged(1).length > 0) && !closed);
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const arm = () => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, retryMs);
    timer.unref?.();
  };
  // Roots stored before this start and not yet logged (a restart, or Rekor just configured) go out now.
  if (store.unlogged(1).length > 0) setImmediate(() => void (closed || run()));

  return {
    batchClosed() {
      if (!closed) void run();
    },
    flush: () => run(),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
    get stats() {
      return { ...stats };
    },
  };
}
