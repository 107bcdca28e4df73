import type { Address, Hex } from "viem";

/** EIP-712 types of a compute registration's proofs (IForge.hashComputeRegistration pins the same string). */
export const COMPUTE_REGISTRATION_TYPES = {
  ComputeRegistration: [
    { name: "worker", type: "address" },
    { name: "signer", type: "address" },
    { name: "ed25519PublicKey", type: "bytes32" },
  ],
} as const;

export type ComputeRegistrationMessage = { worker: Address; signer: Address; ed25519PublicKey: Hex };

/**
 * The typed data both proofs of a registration sign (domain: IngotForge v1, the Forge, the chain):
 * the signer with EIP-712, the Ed25519 key over the 32 bytes of its digest (`hashTypedData`).
 * `worker` is the account that sends `registerCompute` and is credited.
 */
export function computeRegistrationTypedData(chainId: number, forge: Address, message: ComputeRegistrationMessage) {
  return {
    domain: { name: "IngotForge", version: "1", chainId, verifyingContract: forge },
    types: COMPUTE_REGISTRATION_TYPES,
    primaryType: "ComputeRegistration" as const,
    message,
  };
}
