import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { keccak256, toBytes } from "viem";

/** IProofLog's appender role (ProofLog.APPENDER_ROLE). */
export const APPENDER_ROLE = keccak256(toBytes("APPENDER_ROLE"));

/**
 * ProofLog, the public append-only log of the gateway's proof batch roots, with APPENDER_ROLE
 * granted to the gateway's settler. Parameters (module `ProofLog`): `admin` and `appender`
 * (default: the deploying account). The role is granted from the deploying account, so `admin`
 * must be that account; with another admin, grant APPENDER_ROLE from it afterwards.
 * `npx hardhat ignition deploy ignition/modules/ProofLog.ts --network localhost --parameters params.json`.
 */
export default buildModule("ProofLog", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const appender = m.getParameter("appender", m.getAccount(0));
  const log = m.contract("ProofLog", [admin]);
  m.call(log, "grantRole", [APPENDER_ROLE, appender], { id: "grantAppenderRole" });
  return { log };
});
