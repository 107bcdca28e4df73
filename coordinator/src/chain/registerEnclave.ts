import type { Address, Hash, Hex } from "viem";
import { sendAndWait } from "./sendAndWait.js";
import type { ProtocolContext } from "./types.js";

export type RegisterEnclaveParameters = { quote: Hex; signer: Address; hpkePublicKey: Hex };
export type RegisterEnclaveReturnType = { expiresAt: bigint; hash: Hash; alreadyRegistered: boolean };

/**
 * Register an enclave key from its quote, once: when the key is already registered, unexpired
 * and unrevoked, nothing is sent (a restarted coordinator reuses its registration).
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
  const { hash } = await sendAndWait(ctx, { ...registry, functionName: "registerEnclave", args: [p.quote, p.signer, p.hpkePublicKey] });
  const record = (await ctx.publicClient.readContract({ ...registry, functionName: "enclave", args: [p.signer] })) as { expiresAt: bigint };
  return { expiresAt: BigInt(record.expiresAt), hash, alreadyRegistered: false };
}
