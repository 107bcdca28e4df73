/** Errors the ledger raises for misuse by the gateway's own code (not a caller's bad request). */
export class LedgerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LedgerError";
  }
}

/** No reservation with this id, or it is no longer open (committed or released). */
export class ReservationNotOpenError extends LedgerError {
  constructor(readonly reservationId: string, readonly status: "missing" | "committed" | "released") {
    super(`Reservation ${reservationId} is ${status === "missing" ? "unknown" : `already ${status}`}; reserve again before charging.`);
    this.name = "ReservationNotOpenError";
  }
}

/** A charge larger than what was reserved for the call. */
export class ChargeExceedsReservationError extends LedgerError {
  constructor(readonly reservationId: string, readonly reserved: bigint, readonly amount: bigint) {
    super(`Charge of ${amount} exceeds the ${reserved} reserved under ${reservationId}; reserve the worst case before the call.`);
    this.name = "ChargeExceedsReservationError";
  }
}

/** No API key with this key id. */
export class UnknownKeyIdError extends LedgerError {
  constructor(readonly keyId: string) {
    super(`No API key with id ${keyId}; list the keys with \`keys list\`.`);
    this.name = "UnknownKeyIdError";
  }
}

/** No settlement batch with this id. */
export class UnknownBatchError extends LedgerError {
  constructor(readonly batchId: string) {
    super(`No settlement batch ${batchId} in the ledger.`);
    this.name = "UnknownBatchError";
  }
}

/** Another gateway process holds the ledger's serving lease and renewed it within its time to live. */
export class LedgerInUseError extends LedgerError {
  constructor(readonly holder: { owner: string; pid: number; host: string; renewedMsAgo: number }, readonly ttlMs: number) {
    super(
      `The ledger is in use by another gateway process (pid ${holder.pid} on ${holder.host}, lease renewed ${(holder.renewedMsAgo / 1000).toFixed(1)} s ago). ` +
        `Stop that process first; if it died, its lease expires ${Math.max(0, (ttlMs - holder.renewedMsAgo) / 1000).toFixed(1)} s from now.`,
    );
    this.name = "LedgerInUseError";
  }
}

/** This process's serving lease was taken by another process (this one did not renew it in time). */
export class ServingLeaseLostError extends LedgerError {
  constructor(readonly owner: string, readonly holder: string | null) {
    super(`The ledger's serving lease of ${owner} is gone (${holder ? `now held by ${holder}` : "released"}); this process must stop serving.`);
    this.name = "ServingLeaseLostError";
  }
}

/** The database was written by a newer gateway than this one. */
export class LedgerSchemaError extends LedgerError {
  constructor(readonly found: number, readonly supported: number) {
    super(`The ledger's schema is at version ${found}; this gateway supports up to ${supported}. Upgrade the gateway.`);
    this.name = "LedgerSchemaError";
  }
}
