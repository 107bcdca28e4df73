import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { LedgerInUseError, ServingLeaseLostError } from "./errors.js";
import type { Ledger } from "./types.js";

export type HoldServingLeaseParameters = {
  ledger: Pick<Ledger, "takeServingLease" | "renewServingLease" | "releaseServingLease">;
  /** The lease's time to live; it is renewed every third of it. */
  ttlMs: number;
  /**
   * Called once when this process can no longer be sure it holds the lease: another process
   * took it, or no renewal has succeeded for `ttlMs`. The caller must stop serving.
   */
  onLost: (error: Error) => void;
  /** Clock (ms), for tests. */
  now?: () => number;
};

export type HoldServingLeaseReturnType = {
  owner: string;
  /** Open reservations of the previous holder released when the lease was taken. */
  releasedReservations: number;
  /** Stop renewing and let the lease go. */
  release(): void;
};

/**
 * Take the ledger's serving lease for this process (throws LedgerInUseError while another
 * live process holds it) and keep it renewed until `release`. A gateway process holds it for as
 * long as it serves, so that two processes never serve, and release reservations, from one
 * ledger. A holder on this host whose process is gone (killed, crashed) is replaced at once, so a
 * restart does not wait out the lease.
 */
export function holdServingLease(p: HoldServingLeaseParameters): HoldServingLeaseReturnType {
  const now = p.now ?? Date.now;
  const owner = `gw_${randomUUID()}`;
  let releasedReservations: number;
  try {
    ({ releasedReservations } = p.ledger.takeServingLease({ owner, ttlMs: p.ttlMs, now: now() }));
  } catch (error) {
    if (!(error instanceof LedgerInUseError) || error.holder.host !== hostname() || isAlive(error.holder.pid)) throw error;
    ({ releasedReservations } = p.ledger.takeServingLease({ owner, ttlMs: p.ttlMs, now: now(), replacing: error.holder.owner }));
  }
  let renewedAt = now();
  let held = true;
  const lost = (error: Error) => {
    if (!held) return;
    held = false;
    clearInterval(timer);
    p.onLost(error);
  };
  const timer = setInterval(() => {
    try {
      p.ledger.renewServingLease(owner, now());
      renewedAt = now();
    } catch (error) {
      if (error instanceof ServingLeaseLostError) lost(error);
      else if (now() - renewedAt >= p.ttlMs) lost(new Error(`the serving lease could not be renewed for ${p.ttlMs} ms`, { cause: error }));
      // Otherwise (e.g. the database busy for a moment) the next tick tries again.
    }
  }, Math.max(1, Math.floor(p.ttlMs / 3)));
  timer.unref();
  return {
    owner,
    releasedReservations,
    release() {
      if (!held) return;
      held = false;
      clearInterval(timer);
      p.ledger.releaseServingLease(owner);
    },
  };
}

/**
 * Whether a process with this pid runs on this host (EPERM: it exists, owned by someone else). A
 * zombie (exited, not yet reaped by its parent) still answers signal 0, so on Linux its state
 * in /proc decides; where there is no /proc the answer errs on "alive" (the lease then expires).
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.charAt(stat.lastIndexOf(")") + 2);
    return state !== "Z" && state !== "X";
  } catch {
    return true;
  }
}
