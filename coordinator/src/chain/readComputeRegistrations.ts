import type { Address, Hex } from "viem";
import type { ProtocolContext } from "./types.js";

/** A compute worker registered on-chain with a Forge (its ComputeRegistered event). */
export interface RegisteredCompute {
  computeId: number;
  worker: Address;
  signer: Address;
  ed25519PublicKey: Hex;
  capacity: number;
  /** The Ed25519 key's proof of possession over the registration digest (not checked on chain). */
  ed25519Signature: Hex;
}

/** Every ComputeRegistered event of `forge`, by compute id. */
export async function readComputeRegistrations(ctx: ProtocolContext, forge: Address): Promise<RegisteredCompute[]> {
  const logs = await ctx.publicClient.getContractEvents({ address: forge, abi: ctx.abis.Forge, eventName: "ComputeRegistered", fromBlock: 0n, strict: true });
  return logs
    .map((l) => l.args as { computeId: bigint; worker: Address; signer: Address; ed25519PublicKey: Hex; capacity: number; ed25519Signature: Hex })
    .map((a) => ({
      computeId: Number(a.computeId),
      worker: a.worker,
      signer: a.signer,
      ed25519PublicKey: a.ed25519PublicKey,
      capacity: Number(a.capacity),
      ed25519Signature: a.ed25519Signature,
    }))
    .sort((a, b) => a.computeId - b.computeId);
}
