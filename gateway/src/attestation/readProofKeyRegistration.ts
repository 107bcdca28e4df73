import type { Address, Hex, PublicClient } from "viem";
import { toGatewayChainError } from "../chain/errors.js";
import { proofKeyRegistryAbi } from "./proofKeyRegistryAbi.js";

export interface ProofKeyRegistration {
  /** Registered, not revoked, and its build still allow-listed. */
  valid: boolean;
  /** Zero when never registered. */
  measurement: Hex;
  /** Seconds since the epoch; 0 when never registered. */
  registeredAt: bigint;
  revoked: boolean;
  simulated: boolean;
}

/** What ProofKeyRegistry says of `publicKey` (64 hex digits, with or without 0x). Throws a retryable GatewayChainError when the RPC fails. */
export async function readProofKeyRegistration(p: { publicClient: Pick<PublicClient, "readContract">; registry: Address; publicKey: string }): Promise<ProofKeyRegistration> {
  const key = `0x${p.publicKey.replace(/^0x/, "").toLowerCase()}` as Hex;
  try {
    const [valid, k] = await Promise.all([
      p.publicClient.readContract({ address: p.registry, abi: proofKeyRegistryAbi, functionName: "isValid", args: [key] }),
      p.publicClient.readContract({ address: p.registry, abi: proofKeyRegistryAbi, functionName: "proofKey", args: [key] }),
    ]);
    return { valid, measurement: k.measurement, registeredAt: k.registeredAt, revoked: k.revoked, simulated: k.simulated };
  } catch (error) {
    throw toGatewayChainError(`reading proof key ${key} from ProofKeyRegistry ${p.registry}`, error);
  }
}
