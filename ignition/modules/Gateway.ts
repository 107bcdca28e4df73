import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { keccak256, toBytes } from "viem";

/** Default notice between a withdrawal request and the withdrawal: one day, so the gateway
 * settles what it served in time. */
export const DEFAULT_WITHDRAWAL_DELAY_SECONDS = 24n * 60n * 60n;

/** IGatewayDeposits.SETTLER_ROLE. */
export const SETTLER_ROLE = keccak256(toBytes("SETTLER_ROLE"));

/**
 * GatewayDeposits in front of an existing RevenueSplitter, with SETTLER_ROLE granted to the
 * gateway's settler. Parameters (module `Gateway`): `splitter` (required), `admin` and `settler`
 * (default: the deploying account), `withdrawalDelay` (seconds, default one day). The role is
 * granted from the deploying account, so `admin` must be that account when `settler` is set;
 * with another admin, grant SETTLER_ROLE from it afterwards.
 * `npx hardhat ignition deploy ignition/modules/Gateway.ts --network localhost --parameters params.json`.
 */
export default buildModule("Gateway", (m) => {
  const splitter = m.getParameter<string>("splitter");
  const admin = m.getParameter("admin", m.getAccount(0));
  const settler = m.getParameter("settler", m.getAccount(0));
  const withdrawalDelay = m.getParameter("withdrawalDelay", DEFAULT_WITHDRAWAL_DELAY_SECONDS);

  const deposits = m.contract("GatewayDeposits", [splitter, admin, withdrawalDelay]);
  m.call(deposits, "grantRole", [SETTLER_ROLE, settler], { id: "grantSettlerRole" });
  return { deposits };
});
