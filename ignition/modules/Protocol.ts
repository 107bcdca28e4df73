import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { SIMULATED_PLATFORM_ADDRESS } from "../../coordinator/src/enclave/simulated/buildSimulatedQuote.js";
import { SIMULATED_MEASUREMENT } from "../../coordinator/src/enclave/simulated/simulatedMeasurement.js";
import { buildProtocol } from "./buildProtocol.js";

/**
 * The development protocol: SimulatedQuoteVerifier (its constructor reverts on any chain but
 * 31337) trusting the public simulated platform key, and the simulated enclave's measurement
 * allowed. `npx hardhat ignition deploy ignition/modules/Protocol.ts --network localhost`.
 */
export default buildModule("Protocol", (m) => {
  const platformSigner = m.getParameter("simulatedPlatformSigner", SIMULATED_PLATFORM_ADDRESS);
  const verifier = m.contract("SimulatedQuoteVerifier", [platformSigner]);
  return buildProtocol(m, verifier, SIMULATED_MEASUREMENT);
});
