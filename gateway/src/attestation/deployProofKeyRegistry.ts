import { getAddress, type Address } from "viem";
import type { NetworkConnection } from "hardhat/types/network";
import ProofKeyRegistryModule from "../../../ignition/modules/ProofKeyRegistry.js";

export type DeployProofKeyRegistryParameters = {
  /** A Hardhat network connection, with Ignition. */
  connection: Pick<NetworkConnection, "ignition">;
  /** The quote verifier (the protocol's, as EnclaveRegistry's). */
  verifier: Address;
  /** PROTOCOL_ROLE and DEFAULT_ADMIN_ROLE (default: the deploying account). */
  admin?: Address;
};

/** Deploy ProofKeyRegistry through its Ignition module (ignition/modules/ProofKeyRegistry.ts), for tests and the demo. */
export async function deployProofKeyRegistry(p: DeployProofKeyRegistryParameters): Promise<{ registry: Address }> {
  const parameters: Record<string, string> = { verifier: p.verifier, ...(p.admin ? { admin: p.admin } : {}) };
  const deployed: unknown = await p.connection.ignition.deploy(ProofKeyRegistryModule, { parameters: { ProofKeyRegistry: parameters }, displayUi: false });
  const address = (deployed as { registry?: { address?: string } }).registry?.address;
  if (!address) throw new Error("The Ignition deployment of ProofKeyRegistry returned no registry contract");
  return { registry: getAddress(address) };
}
