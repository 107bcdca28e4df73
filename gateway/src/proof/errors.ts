import { HintedError } from "../HintedError.js";

/**
 * Errors of the proof part. Each carries the data a caller needs and says what to do next.
 * They are programming or input errors, never retryable: the same input fails the same way.
 * (Verifying an untrusted proof never throws these; `verifyProof` reports failed checks instead.)
 */
export class ProofError extends HintedError {
  override name = "ProofError";
}

/** A value cannot be written as ArkForge canonical JSON (Python `json.dumps(sort_keys=True, separators=(",", ":"))`). */
export class CanonicalJsonError extends ProofError {
  override name = "CanonicalJsonError";
  constructor(
    /** Where in the value, as a JSONPath-like string (`$.messages[2].content`). */
    readonly path: string,
    readonly reason: string,
    hint: string,
  ) {
    super(`Cannot canonicalize the value at ${path}: ${reason}`, { hint });
  }
}

/** An input to a proof action (hash, timestamp, payment, Ingot, id) is malformed. */
export class ProofInputError extends ProofError {
  override name = "ProofInputError";
  constructor(
    /** The field, in proof JSON terms (`payment.amount`, `timestamp`). */
    readonly field: string,
    readonly value: unknown,
    reason: string,
    hint: string,
  ) {
    super(`Invalid ${field}: ${reason}`, { hint });
  }
}

/** A key is not a usable Ed25519 key. */
export class ProofKeyError extends ProofError {
  override name = "ProofKeyError";
}

/** A proof could not be fetched from a gateway (unreachable, not found, not JSON). */
export class ProofFetchError extends ProofError {
  override name = "ProofFetchError";
  constructor(
    readonly url: string,
    /** The HTTP status, when the gateway answered. */
    readonly status: number | undefined,
    reason: string,
    hint: string,
    cause?: unknown,
  ) {
    super(`Could not fetch ${url}: ${reason}`, { hint, cause });
  }
}
