import type { Logger } from "pino";
import type { WitnessStore } from "../openWitnessStore.js";
import type { ProofAnchor } from "../types.js";

/** Sends the batch roots not yet anchored to ProofLog, several batches per transaction. */
export interface ProofAnchorer {
  /** A batch was stored: anchor now if `everyBatches` are waiting, else within `maxDelayMs`. */
  batchClosed(): void;
  /** Anchor every batch still waiting, now (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Transactions sent, roots anchored, gas used in all, failed tries. */
  readonly stats: { transactions: number; roots: number; gasUsed: bigint; failures: number };
}

export interface CreateProofAnchorerParameters {
  store: WitnessStore;
  /** Append roots (64 hex, oldest first) in one transaction (`appendRoots` bound to a client and the log). */
  append: (roots: readonly string[]) => Promise<{ anchors: ProofAnchor[]; gasUsed: bigint }>;
  everyBatches: number;
  maxDelayMs: number;
  /** Most roots in one transaction (default 100). */
  maxRootsPerTransaction?: number;
  logger: Pick<Logger, "warn" | "info">;
}

/**
 * The on-chain anchor of the proof batches: waits until `everyBatches` time-stamped batches are
 * unanchored (or the oldest has waited `maxDelayMs`), then appends their roots to ProofLog in one
 * transaction and records each root's sequence, transaction and block time in the witness store
 * (proofs then carry it as `witness.anchor`). One transaction at a time; a failure is logged and
 * the same roots are tried again at the next trigger (ProofLog refuses a repeat, so a retry of a
 * mined append cannot anchor twice).
 */
export function createProofAnchorer({ store, append, everyBatches, maxDelayMs, maxRootsPerTransaction = 100, logger }: CreateProofAnchorerParameters): ProofAnchorer {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  const stats = { transactions: 0, roots: 0, gasUsed: 0n, failures: 0 };

  const sendOnce = async (): Promise<boolean> => {
    const batches = store.unanchored(maxRootsPerTransaction);
    if (batches.length === 0) return false;
    try {
      const { anchors, gasUsed } = await append(batches.map((b) => b.root));
      store.setAnchors(batches.map((b, i) => ({ batch: b.batch, anchor: anchors[i]! })));
      stats.transactions++;
      stats.roots += batches.length;
      stats.gasUsed += gasUsed;
      logger.info({ batches: batches.map((b) => b.batch), sequence: anchors[0]?.sequence, transaction: anchors[0]?.transaction, gasUsed: gasUsed.toString() }, "proof batch roots anchored on chain");
      return batches.length === maxRootsPerTransaction;
    } catch (error) {
      stats.failures++;
      logger.warn({ err: error, batches: batches.length }, "could not anchor proof batch roots; retried at the next batch or interval");
      return false;
    }
  };
  const run = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (timer) clearTimeout(timer);
    timer = undefined;
    inFlight = (async () => {
      while (await sendOnce());
    })().finally(() => {
      inFlight = undefined;
      if (!closed && store.unanchored(1).length > 0) arm();
    });
    return inFlight;
  };
  const arm = () => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, maxDelayMs);
    timer.unref?.();
  };

  // Roots a previous run time-stamped but did not anchor go out within maxDelayMs.
  if (store.unanchored(1).length > 0) arm();

  return {
    batchClosed() {
      if (closed) return;
      if (store.unanchored(everyBatches).length >= everyBatches) void run();
      else arm();
    },
    flush: run,
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
