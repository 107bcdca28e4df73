import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { buildProtocol } from "./buildProtocol.js";

/**
 * The production protocol: Intel TDX quotes verified by Automata's on-chain DCAP attestation
 * contract (`automataDcapAttestation`, required) through DcapQuoteVerifier. `allowedMeasurement`
 * (required) is keccak256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3) of the coordinator's dstack CVM,
 * see IDcapQuoteVerifier. Pass both in a parameters file:
 * `npx hardhat ignition deploy ignition/modules/ProtocolDcap.ts --network <net> --parameters params.json`.
 */
export default buildModule("ProtocolDcap", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const attestation = m.getParameter<string>("automataDcapAttestation");
  const verifier = m.contract("DcapQuoteVerifier", [admin, attestation]);
  return buildProtocol(m, verifier);
});
