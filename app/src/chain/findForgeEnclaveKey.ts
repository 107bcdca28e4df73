import type { Address, Hex, PublicClient } from "viem";
import { enclaveRegistryAbi } from "../abi/protocolAbis.generated.js";

export interface ForgeEnclaveKey {
  signer: Address;
  measurement: Hex;
  hpkePublicKey: Hex;
  simulated: boolean;
}

/**
 * The key a contributor seals to, found as coordinator/src/chain/getForgeEnclaveKeys finds it:
 * enclaves registered in the EnclaveRegistry (EnclaveRegistered events) with a measurement the
 * Forge allows, still valid now (`isValid`), the newest registration first; null when none is.
 */
export async function findForgeEnclaveKey(client: PublicClient, registry: Address, allowedMeasurements: readonly Hex[], fromBlock: bigint): Promise<ForgeEnclaveKey | null> {
  const allowed = new Set(allowedMeasurements.map((m) => m.toLowerCase()));
  const logs = await client.getContractEvents({ address: registry, abi: enclaveRegistryAbi, eventName: "EnclaveRegistered", fromBlock, strict: true });
  for (const log of [...logs].reverse()) {
    const signer = log.args.signer as Address;
    if (!allowed.has(String(log.args.measurement).toLowerCase())) continue;
    if (!(await client.readContract({ address: registry, abi: enclaveRegistryAbi, functionName: "isValid", args: [signer] }))) continue;
    const record = await client.readContract({ address: registry, abi: enclaveRegistryAbi, functionName: "enclave", args: [signer] });
    if (!allowed.has(record.measurement.toLowerCase())) continue;
    return { signer, measurement: record.measurement, hpkePublicKey: record.hpkePublicKey, simulated: record.simulated };
  }
  return null;
}
