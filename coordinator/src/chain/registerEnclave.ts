import type { Address, Hash, Hex } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { ProtocolContext } from "./types.js";

export type RegisterEnclaveParameters = {
  /** A quote whose report data is `reportDataFor(signer, hpkePublicKey, chainId, hash of quoteBlock)`. */
  quote: Hex;
  signer: Address;
  hpkePublicKey: Hex;
  /** The block the quote was made over (readQuoteBlock): one of the registry's last 256 blocks when sent. */
  quoteBlock: bigint;
};
export type RegisterEnclaveReturnType = { expiresAt: bigint; hash: Hash; alreadyRegistered: boolean };

/**
 * Register an enclave key from a fresh quote, or renew it once expired: when the key is already
 * registered, unexpired and unrevoked, nothing is sent (a restarted coordinator reuses its
 * registration). The registry refuses a quote made over a block more than 256 blocks old
 * (EnclaveQuoteNotFresh): quote again over the latest block.
 */
export async function registerEnclave(ctx: ProtocolContext, p: RegisterEnclaveParameters): Promise<RegisterEnclaveReturnType> {
  const registry = { address: ctx.addresses.enclaveRegistry, abi: ctx.abis.EnclaveRegistry } as const;
  const valid = (await ctx.publicClient.readContract({ ...registry, functionName: "isValid", args: [p.signer] })) as boolean;
  if (valid) {
    const record = (await ctx.publicClient.readContract({ ...registry, functionName: "enclave", args: [p.signer] })) as {
      expiresAt: bigint;
      hpkePublicKey: Hex;
    };
    if (record.hpkePublicKey.toLowerCase() === p.hpkePublicKey.toLowerCase()) {
      return { expiresAt: BigInt(record.expiresAt), hash: "0x" as Hash, alreadyRegistered: true };
    }
  }
  const { hash } = await sendAndWait(ctx, { ...registry, functionName: "registerEnclave", args: [p.quote, p.signer, p.hpkePublicKey, p.quoteBlock] });
  const record = (await ctx.publicClient.readContract({ ...registry, functionName: "enclave", args: [p.signer] })) as { expiresAt: bigint };
  return { expiresAt: BigInt(record.expiresAt), hash, alreadyRegistered: false };
}
