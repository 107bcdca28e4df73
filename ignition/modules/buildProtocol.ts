import type { ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/** Default lifetime of an enclave registration: 30 days, then the enclave re-attests. */
export const DEFAULT_ENCLAVE_TTL_SECONDS = 30n * 24n * 60n * 60n;

/**
 * The protocol around a given quote verifier, wired as IForgeFactory's NatSpec prescribes:
 * splitter → registry(verifier) → factory(registry, splitter) → Ingot(factory, splitter) →
 * bind the Ingot into the factory and the splitter, then allow one enclave measurement.
 * `admin` (default: the deploying account) holds PROTOCOL_ROLE everywhere; it can allow more
 * measurements later with `EnclaveRegistry.setMeasurementAllowed`.
 */
export function buildProtocol<V extends ContractFuture<string>>(m: IgnitionModuleBuilder, verifier: V, defaultMeasurement?: string) {
  const admin = m.getParameter("admin", m.getAccount(0));
  const ttlSeconds = m.getParameter("enclaveTtlSeconds", DEFAULT_ENCLAVE_TTL_SECONDS);
  const measurement = defaultMeasurement === undefined
    ? m.getParameter<string>("allowedMeasurement")
    : m.getParameter<string>("allowedMeasurement", defaultMeasurement);

  const splitter = m.contract("RevenueSplitter", [admin]);
  const enclaveRegistry = m.contract("EnclaveRegistry", [admin, verifier, ttlSeconds]);
  const factory = m.contract("ForgeFactory", [admin, enclaveRegistry, splitter]);
  const ingot = m.contract("Ingot", [factory, splitter]);
  m.call(factory, "bindIngot", [ingot], { id: "bindIngotToFactory" });
  m.call(splitter, "bindIngot", [ingot], { id: "bindIngotToSplitter" });
  m.call(enclaveRegistry, "setMeasurementAllowed", [measurement, true], { id: "allowMeasurement" });
  return { splitter, enclaveRegistry, factory, ingot, verifier };
}
