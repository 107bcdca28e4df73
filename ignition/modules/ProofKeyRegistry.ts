import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * ProofKeyRegistry over the protocol's quote verifier (the same one EnclaveRegistry trusts:
 * Automata DCAP for TDX, or the simulated verifier on chain 31337). Parameters (module
 * `ProofKeyRegistry`): `verifier` (required), `admin` (default: the deploying account; it holds
 * PROTOCOL_ROLE and allow-lists the gateway builds with `setMeasurementAllowed`).
 * `npx hardhat ignition deploy ignition/modules/ProofKeyRegistry.ts --network localhost --parameters params.json`.
 */
export default buildModule("ProofKeyRegistry", (m) => {
  const verifier = m.getParameter<string>("verifier");
  const admin = m.getParameter("admin", m.getAccount(0));
  const registry = m.contract("ProofKeyRegistry", [admin, verifier]);
  return { registry };
});
