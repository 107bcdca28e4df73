import { EnclaveError } from "./errors.js";

/** The simulated enclave was asked to run on a chain other than 31337 without `forceChain`. */
export class SimulatedEnclaveChainError extends EnclaveError {
  override name = "SimulatedEnclaveChainError";
  constructor(readonly chainId: number) {
    super(
      `Refusing to run a SIMULATED enclave on chain ${chainId}: its quotes are forgeable by anyone and only chain 31337 accepts them. ` +
        "Use the dstack enclave for real deployments, or set enclave.forceChain (INGOTFORGE_ENCLAVE_FORCE_CHAIN=true) if you really mean it.",
    );
  }
}

/** The dstack guest agent cannot be reached (no socket, connection refused, timeout). Retryable. */
export class DstackUnavailableError extends EnclaveError {
  override name = "DstackUnavailableError";
  readonly retryable = true;
  constructor(
    readonly endpoint: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot reach the dstack guest agent at ${endpoint}: ${detail}. Run inside a dstack CVM with /var/run/dstack.sock mounted, ` +
        "or point DSTACK_SIMULATOR_ENDPOINT (enclave.endpoint) at a dstack simulator.",
      options,
    );
  }
}

/** The dstack guest agent answered with something unusable (wrong key length, malformed quote...). */
export class DstackResponseError extends EnclaveError {
  override name = "DstackResponseError";
  constructor(
    readonly call: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`dstack ${call} returned an unusable answer: ${detail}. Check the guest agent's version (dstack OS >= 0.5) and its logs.`, options);
  }
}

/** A TDX quote is too short or not a TDX quote. */
export class TdxQuoteFormatError extends EnclaveError {
  override name = "TdxQuoteFormatError";
  constructor(detail: string) {
    super(`Not a TDX quote: ${detail}. Expect an Intel TDX DCAP quote v4/v5 as dstack's GetQuote returns it.`);
  }
}
