import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { GatewayChainError, toGatewayChainError } from "../chain/errors.js";
import { proofKeyRegistryAbi } from "./proofKeyRegistryAbi.js";
import type { ProofKeyAttestation } from "./types.js";

export interface RegisterProofKeyParameters {
  publicClient: Pick<PublicClient, "simulateContract" | "waitForTransactionReceipt">;
  /** Pays the gas; needs no role (the quote is the authority). */
  walletClient: WalletClient<Transport, Chain, Account>;
  registry: Address;
  /** The gateway's attestation (`GET /v1/attestation`): its quote and key. */
  attestation: ProofKeyAttestation;
}

/**
 * Register the gateway's proof key in ProofKeyRegistry from its attestation's quote, and wait for
 * the receipt. The call is simulated first, so a refusal (the build not allow-listed, a debug
 * enclave, a TCB out of date, a revoked key) comes back as a GatewayChainError naming the
 * contract's error, and costs no gas.
 * @throws GatewayChainError (not retryable when the contract refuses; retryable when the RPC fails).
 */
export async function registerProofKey(p: RegisterProofKeyParameters): Promise<{ txHash: Hex; measurement: Hex }> {
  const { attestation } = p;
  if (attestation.kind === "none" || !attestation.quote) {
    throw new GatewayChainError("the gateway's proof key comes from its config: there is no quote to register it with", { retryable: false });
  }
  const publicKey = `0x${attestation.public_key}` as Hex;
  try {
    const { request, result } = await p.publicClient.simulateContract({
      address: p.registry,
      abi: proofKeyRegistryAbi,
      functionName: "registerProofKey",
      args: [attestation.quote, publicKey],
      account: p.walletClient.account,
    });
    const txHash = await p.walletClient.writeContract(request);
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash: txHash });
    if (receipt.status !== "success") throw new GatewayChainError(`registering proof key ${publicKey}: transaction ${txHash} reverted`, { retryable: false });
    return { txHash, measurement: result };
  } catch (error) {
    throw toGatewayChainError(`registering proof key ${publicKey} in ProofKeyRegistry ${p.registry}`, error);
  }
}
