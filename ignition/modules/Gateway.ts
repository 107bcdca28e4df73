import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { keccak256, toBytes } from "viem";

/** Default notice between a withdrawal request and the withdrawal: one day, so the gateway
 * settles what it served in time. */
export const DEFAULT_WITHDRAWAL_DELAY_SECONDS = 24n * 60n * 60n;

/** IGatewayDeposits.SETTLER_ROLE. */
export const SETTLER_ROLE = keccak256(toBytes("SETTLER_ROLE"));

/** IRevenueSplitter.TRUSTED_PAYER_ROLE: settlements may open an asset slot below its minimum first payment. */
export const TRUSTED_PAYER_ROLE = keccak256(toBytes("TRUSTED_PAYER_ROLE"));

/**
 * GatewayDeposits in front of an existing RevenueSplitter, with SETTLER_ROLE granted to the
 * gateway's settler, and the splitter's TRUSTED_PAYER_ROLE granted to the deposits (a settlement
 * carries whatever fees came due, so its first payment in a token may be below the splitter's
 * minimum first payment; without the role such a batch would revert). Parameters (module
 * `Gateway`): `splitter` (required), `admin` and `settler` (default: the deploying account),
 * `withdrawalDelay` (seconds, default one day). Both roles are granted from the deploying account,
 * so `admin` must be that account when `settler` is set, and it must hold the splitter's
 * DEFAULT_ADMIN_ROLE; otherwise grant them from their admins afterwards.
 * `npx hardhat ignition deploy ignition/modules/Gateway.ts --network localhost --parameters params.json`.
 */
export default buildModule("Gateway", (m) => {
  const splitter = m.getParameter<string>("splitter");
  const admin = m.getParameter("admin", m.getAccount(0));
  const settler = m.getParameter("settler", m.getAccount(0));
  const withdrawalDelay = m.getParameter("withdrawalDelay", DEFAULT_WITHDRAWAL_DELAY_SECONDS);

  const deposits = m.contract("GatewayDeposits", [splitter, admin, withdrawalDelay]);
  m.call(deposits, "grantRole", [SETTLER_ROLE, settler], { id: "grantSettlerRole" });
  const revenueSplitter = m.contractAt("RevenueSplitter", splitter);
  m.call(revenueSplitter, "grantRole", [TRUSTED_PAYER_ROLE, deposits], { id: "grantTrustedPayerRole" });
  return { deposits };
});
