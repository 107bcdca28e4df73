import { getAddress, type Address } from "viem";
import { ChainError } from "./errors.js";
import type { ProtocolAddresses } from "./types.js";

/** The protocol addresses out of `ignition.deploy(Protocol…)`'s result (contracts by module key). */
export function addressesFromIgnition(deployed: unknown): ProtocolAddresses {
  const pick = (key: keyof ProtocolAddresses): Address => {
    const contract = (deployed as Record<string, { address?: string } | undefined>)[key];
    if (!contract?.address) throw new ChainError(`The Ignition deployment returned no "${key}" contract`);
    return getAddress(contract.address);
  };
  return { factory: pick("factory"), ingot: pick("ingot"), splitter: pick("splitter"), enclaveRegistry: pick("enclaveRegistry"), verifier: pick("verifier") };
}
