import type { Logger } from "pino";
import { buildMerkleTree } from "./buildMerkleTree.js";
import { rootImprint } from "./rootImprint.js";
import type { GrantedTimeStamp } from "./parseTimeStampResponse.js";
import type { WitnessStore } from "./openWitnessStore.js";
import type { ProofQueue } from "./types.js";

/** Collects proofs' chain hashes and closes them into time-stamped batches, off the call path. */
export interface ProofBatcher {
  /** Queue a committed proof for the next batch. O(1), synchronous: nothing is hashed or sent here. */
  add(proofId: string, chainHashHex: string): void;
  /** Close the open batch now (if it has any proof) and wait until it and any batch in flight are stored. */
  flush(): Promise<void>;
  /** Proofs waiting for a batch. */
  readonly pending: number;
  /** Stop the timer and close what is pending (one last try). */
  close(): Promise<void>;
  /**
   * Time spent closing batches in this process (tree, request, response check, store), ms, and
   * the proofs closed: the amortized cost per call is their ratio. `tsaMs`: wall time waiting for
   * the TSA (off this process's CPU; never on a call's path).
   */
  readonly stats: { batches: number; proofs: number; busyMs: number; tsaMs: number; failures: number };
}

export interface CreateProofBatcherParameters {
  store: WitnessStore;
  /** Where time-stamps are asked (`requestTimeStamp`). */
  tsaUrl: string;
  /** Ask the TSA for a time-stamp of this digest (production: `requestTimeStamp`). */
  timeStamp: (digest: Uint8Array) => Promise<GrantedTimeStamp>;
  /** A batch closes this long after its first proof came, if it holds at least `minProofs`… */
  intervalMs: number;
  /** …or as soon as it holds this many proofs. */
  maxProofs: number;
  /**
   * The fewest proofs a batch closes with at `intervalMs` (default 1): a smaller one waits for
   * this many, or until `maxDelayMs` after its first proof. A batch costs the same whatever its
   * size, so at low load this keeps the cost per call down (`batchSizeAt`).
   */
  minProofs?: number;
  /** The longest a proof waits for its batch (default `intervalMs`). */
  maxDelayMs?: number;
  logger: Pick<Logger, "warn" | "info" | "debug">;
  /** Called after a batch is stored (the anchorer listens here). */
  onBatch?: (batch: number) => void;
  /**
   * The durable queue (the ledger's): its waiting proofs are queued first, before any `add`
   * (those already in a stored batch are taken off it instead), and each stored batch's proofs
   * are taken off it. Without one, proofs queued when the process dies are never batched.
   */
  queue?: ProofQueue;
}

/**
 * The batcher behind the proofs' RFC 3161 witness: `add` only queues; a batch closes
 * `intervalMs` after its first proof if it holds `minProofs` (else at the proof that makes
 * `minProofs`, or `maxDelayMs` after its first proof), or at once at `maxProofs`. Closing builds the
 * RFC 6962 Merkle tree over the chain hashes, asks the TSA to time-stamp the root's imprint, and
 * stores batch, leaves and token in one transaction. One batch is in flight at a time; a TSA that
 * fails leaves the proofs queued (in order) for the next try. With a durable `queue` (the
 * ledger's, written with each charge), proofs queued when the process dies are batched at the
 * next start; without one they are not (their proofs stay valid by signature, with no time-stamp).
 */
export function createProofBatcher({ store, tsaUrl, timeStamp, intervalMs, maxProofs, minProofs = 1, maxDelayMs = intervalMs, logger, onBatch, queue }: CreateProofBatcherParameters): ProofBatcher {
  let ids: string[] = [];
  let hashes: string[] = [];
  const forget = (proofIds: readonly string[]) => {
    try {
      queue?.remove(proofIds);
    } catch (error) {
      // Harmless: the next start finds them in the store and takes them off then.
      logger.warn({ err: error, proofs: proofIds.length }, "could not take batched proofs off the durable queue; the next start does");
    }
  };
  if (queue) {
    const waiting = queue.pending();
    const stored = waiting.filter((p) => store.isBatched(p.proofId));
    if (stored.length > 0) forget(stored.map((p) => p.proofId));
    for (const p of waiting) {
      if (store.isBatched(p.proofId)) continue;
      ids.push(p.proofId);
      hashes.push(p.chainHash);
    }
    if (ids.length > 0) logger.info({ proofs: ids.length }, "proofs answered before the last stop and never batched are queued again");
  }
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  const stats = { batches: 0, proofs: 0, busyMs: 0, tsaMs: 0, failures: 0 };

  const closeOne = async (): Promise<void> => {
    const take = Math.min(ids.length, maxProofs);
    if (take === 0) return;
    const batchIds = ids.slice(0, take);
    const batchHashes = hashes.slice(0, take);
    ids = ids.slice(take);
    hashes = hashes.slice(take);
    let started = performance.now();
    const tree = buildMerkleTree(batchHashes);
    const imprint = rootImprint(tree.root);
    stats.busyMs += performance.now() - started;
    let granted: GrantedTimeStamp;
    const asked = performance.now();
    try {
      granted = await timeStamp(imprint);
      stats.tsaMs += performance.now() - asked;
    } catch (error) {
      stats.failures++;
      ids = [...batchIds, ...ids];
      hashes = [...batchHashes, ...hashes];
      logger.warn({ err: error, proofs: take }, "could not time-stamp a proof batch; it is retried on the next flush");
      return;
    }
    started = performance.now();
    const batch = store.nextBatchNumber();
    store.saveBatch({ batch, root: tree.root, chainHashes: batchHashes, proofIds: batchIds, tsaUrl, token: Buffer.from(granted.token).toString("base64"), genTime: granted.genTime.toISOString() });
    forget(batchIds);
    stats.busyMs += performance.now() - started;
    stats.batches++;
    stats.proofs += take;
    logger.debug({ batch, proofs: take, root: tree.root }, "proof batch time-stamped");
    onBatch?.(batch);
  };

  /** Close batches while full ones wait (or all, when `all`), one at a time. */
  const run = (all: boolean): Promise<void> => {
    if (inFlight) return inFlight.then(() => (all || ids.length >= maxProofs ? run(all) : undefined));
    inFlight = (async () => {
      // (Checked before each close: a full batch's add schedules a run per proof past maxProofs,
      // and a run that found the full batch already closed must not close the rest early.)
      while (ids.length > 0 && (all || ids.length >= maxProofs)) {
        const before = ids.length;
        await closeOne();
        if (ids.length >= before) break; // the TSA failed: wait for the next timer
      }
    })().finally(() => {
      inFlight = undefined;
      if (ids.length > 0 && !closed) arm();
    });
    return inFlight;
  };
  // The open batch is past `intervalMs` but under `minProofs`: it closes at the proof that makes
  // `minProofs`, or at `maxDelayMs`.
  let waitingForCount = false;
  const schedule = (ms: number, fn: () => void) => {
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
    timer.unref?.();
  };
  const arm = () => {
    if (timer || closed) return;
    waitingForCount = false;
    schedule(intervalMs, () => {
      if (ids.length >= minProofs || maxDelayMs <= intervalMs) return void run(true);
      waitingForCount = true;
      schedule(maxDelayMs - intervalMs, () => {
        waitingForCount = false;
        void run(true);
      });
    });
  };
  const closeNow = () => {
    waitingForCount = false;
    if (timer) clearTimeout(timer);
    timer = undefined;
    setImmediate(() => void run(true));
  };

  // Proofs recovered from the durable queue close with the first interval.
  if (ids.length > 0) arm();

  return {
    add(proofId, chainHashHex) {
      ids.push(proofId);
      hashes.push(chainHashHex);
      if (ids.length >= maxProofs && !inFlight) setImmediate(() => void run(false));
      else if (waitingForCount && ids.length >= minProofs) closeNow();
      else arm();
    },
    flush: () => run(true),
    get pending() {
      return ids.length;
    },
    get stats() {
      return { ...stats };
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await run(true);
    },
  };
}
