import { ComputeError } from "../errors.js";

/**
 * The NATS transport cannot be used: nats-server missing or not starting, a connection refused
 * (bad or revoked token), a permission the account lacks, a stream in an unexpected state.
 */
export class NatsTransportError extends ComputeError {
  override name = "NatsTransportError";
}
