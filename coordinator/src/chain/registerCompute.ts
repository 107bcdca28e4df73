import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, hashTypedData, hexToBytes, isAddressEqual, type Address, type Hash, type Hex } from "viem";
import { ChainError } from "./errors.js";
import { computeRegistrationTypedData } from "./computeRegistrationTypedData.js";
import { sendAndReadEvent } from "./sendAndReadEvent.js";
import { readForgeConfig } from "./readForgeConfig.js";
import type { ProtocolContext } from "./types.js";

export type RegisterComputeParameters = {
  forge: Address;
  /** The worker's EVM signing address. */
  signer: Address;
  /** The worker's Ed25519 private key (32-byte seed); its public key is registered and it signs the proof of possession. */
  ed25519PrivateKey: Hex;
  capacity: number;
  /**
   * The signer's EIP-712 signature over the registration (`computeRegistrationTypedData` with
   * worker = the sending account). Needed only when `signer` is not the sending account.
   */
  signerSignature?: Hex;
  /** The bond to send (wei); default: the Forge's `computeBond`, read from it. */
  bond?: bigint;
};

export type RegisterComputeReturnType = { computeId: bigint; hash: Hash; ed25519PublicKey: Hex; ed25519Signature: Hex; bond: bigint };

/**
 * Register the sending account as a compute worker of `forge`, with both proofs of possession:
 * the Ed25519 key signs the 32-byte EIP-712 digest of (worker, signer, key), and so does the
 * signer (no signature needed when the signer is the sending account). Sends the Forge's compute
 * bond: refunded when the registration is counted or the Forge fails, forfeited when excluded.
 */
export async function registerCompute(ctx: ProtocolContext, p: RegisterComputeParameters): Promise<RegisterComputeReturnType> {
  const worker = ctx.walletClient.account.address;
  if (!p.signerSignature && !isAddressEqual(p.signer, worker)) {
    throw new ChainError(`The signer ${p.signer} is not the sending account ${worker}: pass the signer's EIP-712 signature over the registration (signerSignature), or register with the sending account as signer.`);
  }
  const secret = hexToBytes(p.ed25519PrivateKey);
  const ed25519PublicKey = bytesToHex(ed25519.getPublicKey(secret));
  const chainId = await ctx.publicClient.getChainId();
  const bond = p.bond ?? (await readForgeConfig(ctx, p.forge)).computeBond;
  const digest = hashTypedData(computeRegistrationTypedData(chainId, p.forge, { worker, signer: p.signer, ed25519PublicKey }));
  const ed25519Signature = bytesToHex(ed25519.sign(hexToBytes(digest), secret));
  const { hash, args } = await sendAndReadEvent<{ computeId: bigint }>(ctx, {
    address: p.forge,
    abi: ctx.abis.Forge,
    functionName: "registerCompute",
    args: [p.signer, ed25519PublicKey, p.capacity, p.signerSignature ?? "0x", ed25519Signature],
    value: bond,
    eventName: "ComputeRegistered",
  });
  return { computeId: args.computeId, hash, ed25519PublicKey, ed25519Signature, bond };
}
