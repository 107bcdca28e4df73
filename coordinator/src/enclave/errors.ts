/** Errors of the enclave layer: each says what is wrong and what to do about it. */

export class EnclaveError extends Error {
  override name = "EnclaveError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A value handed to an enclave helper has the wrong shape (not an address, not 32 bytes...). */
export class EnclaveInputError extends EnclaveError {
  override name = "EnclaveInputError";
  constructor(
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field} ${problem}. Pass it as 0x-prefixed hex of the stated length.`, options);
  }
}

/**
 * A simulated quote was requested for a chain that refuses them. SimulatedQuoteVerifier accepts
 * only chain id 31337, because the simulated platform key is public.
 */
export class SimulatedQuoteChainError extends EnclaveError {
  override name = "SimulatedQuoteChainError";
  constructor(readonly chainId: number) {
    super(
      `simulated quotes are accepted only on chain 31337, not ${chainId}: the simulated platform key is public. ` +
        "Use the in-process Hardhat chain or `hardhat node`, or run a real TDX enclave (dstack) elsewhere.",
    );
  }
}
