import type { Address, Hash, Hex } from "viem";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import type { ProtocolContext } from "./types.js";

export type RegisterComputeParameters = {
  forge: Address;
  /** The worker's EVM signing address. */
  signer: Address;
  /** The worker's Ed25519 public key (32 bytes) for off-chain job messages. */
  ed25519PublicKey: Hex;
  capacity: number;
};

export type RegisterComputeReturnType = { computeId: bigint; hash: Hash };

/** Register the sending account as a compute worker of `forge`. */
export async function registerCompute(ctx: ProtocolContext, p: RegisterComputeParameters): Promise<RegisterComputeReturnType> {
  const { hash, args } = await sendAndReadEvent<{ computeId: bigint }>(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "registerCompute",
    args: [p.signer, p.ed25519PublicKey, p.capacity],
    eventName: "ComputeRegistered",
  });
  return { computeId: args.computeId, hash };
}
