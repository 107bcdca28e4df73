import type { Address, Hex } from "viem";
import { getForgeStatus } from "./getForgeStatus.js";
import type { ProtocolContext } from "./types.js";

/** One enclave whose results the Forge accepts, valid now, with the HPKE key data is sealed to. */
export interface ForgeEnclaveKey {
  signer: Address;
  measurement: Hex;
  hpkePublicKey: Hex;
  expiresAt: bigint;
  registeredAt: bigint;
  simulated: boolean;
}

/**
 * The enclaves that can evaluate `forge`, as the holdout's creator finds them: every signer the
 * EnclaveRegistry registered (EnclaveRegistered events) with a measurement in the Forge's
 * `allowedMeasurements`, still valid now (`isValid`: not expired, not revoked), newest
 * registration first, with the HPKE public key the registry stores for it. A contributor seals
 * to one of these keys; an empty list means no coordinator has registered for this Forge yet.
 */
export async function getForgeEnclaveKeys(ctx: ProtocolContext, forge: Address): Promise<ForgeEnclaveKey[]> {
  const { config } = await getForgeStatus(ctx, forge);
  const allowed = new Set(config.allowedMeasurements.map((m) => m.toLowerCase()));
  const registry = { address: ctx.addresses.enclaveRegistry, abi: ctx.abis.EnclaveRegistry } as const;
  const logs = await ctx.publicClient.getContractEvents({ ...registry, eventName: "EnclaveRegistered", fromBlock: 0n, strict: true });
  const signers = [...new Set(logs.map((l) => (l.args as { signer: Address }).signer))];
  const out: ForgeEnclaveKey[] = [];
  for (const signer of signers) {
    const valid = (await ctx.publicClient.readContract({ ...registry, functionName: "isValid", args: [signer] })) as boolean;
    if (!valid) continue;
    const record = (await ctx.publicClient.readContract({ ...registry, functionName: "enclave", args: [signer] })) as Omit<ForgeEnclaveKey, "signer">;
    if (!allowed.has(record.measurement.toLowerCase())) continue;
    out.push({ signer, measurement: record.measurement, hpkePublicKey: record.hpkePublicKey, expiresAt: record.expiresAt, registeredAt: record.registeredAt, simulated: record.simulated });
  }
  return out.sort((a, b) => (a.registeredAt === b.registeredAt ? 0 : a.registeredAt > b.registeredAt ? -1 : 1));
}
