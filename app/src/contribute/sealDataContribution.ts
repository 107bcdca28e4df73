import type { Address } from "viem";

export interface SealDataContributionParameters {
  plaintext: Uint8Array;
  forge: Address;
  chainId: number;
  sender: Address;
}

export interface SealDataContributionReturnType {
  /** The bytes to store and contribute (the sealed envelope once sealing lands). */
  bytes: Uint8Array;
  sealed: boolean;
  /** What the page tells the contributor about this step. */
  note: string;
}

/**
 * THE SEALING SEAM (issue 23). Today's contracts take the plaintext file's root, so this returns
 * the plaintext and says so. Once data is sealed, this becomes: read the Forge's enclave HPKE key
 * (EnclaveRegistry.enclave(signer).hpkePublicKey for a signer whose measurement the Forge allows),
 * seal `plaintext` to it with the sender, chain id and Forge bound in the HPKE info (the same
 * suite as coordinator/src/sealing), and return the envelope; the flow then stores and
 * contributes the envelope's root unchanged.
 */
export async function sealDataContribution(p: SealDataContributionParameters): Promise<SealDataContributionReturnType> {
  return { bytes: p.plaintext, sealed: false, note: `Not sealed: the contracts on chain ${p.chainId} take the file's plaintext root (sealing to the enclave key arrives with the integrity work).` };
}
