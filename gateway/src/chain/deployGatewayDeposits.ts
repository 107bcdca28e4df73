import { getAddress, type Address } from "viem";
import type { NetworkConnection } from "hardhat/types/network";
import { GatewayChainError } from "./errors.js";
import GatewayModule, { DEFAULT_WITHDRAWAL_DELAY_SECONDS } from "../../../ignition/modules/Gateway.js";

export type DeployGatewayDepositsParameters = {
  /** A Hardhat network connection (`hre.network.connect()` / `create()`), with Ignition. */
  connection: Pick<NetworkConnection, "ignition">;
  /** The RevenueSplitter settled batches pay into. */
  splitter: Address;
  /** DEFAULT_ADMIN_ROLE (default: the deploying account, which must be the admin when a settler is given). */
  admin?: Address;
  /** Receives SETTLER_ROLE (default: the deploying account). */
  settler?: Address;
  /** Seconds of notice before a withdrawal (default one day). */
  withdrawalDelay?: bigint;
};
export type DeployGatewayDepositsReturnType = { deposits: Address };

/**
 * Deploy GatewayDeposits through the same Ignition module (ignition/modules/Gateway.ts) as the
 * deploy command, for tests and the demo.
 */
export async function deployGatewayDeposits(p: DeployGatewayDepositsParameters): Promise<DeployGatewayDepositsReturnType> {
  const parameters: Record<string, string | bigint> = {
    splitter: p.splitter,
    withdrawalDelay: p.withdrawalDelay ?? DEFAULT_WITHDRAWAL_DELAY_SECONDS,
  };
  if (p.admin) parameters.admin = p.admin;
  if (p.settler) parameters.settler = p.settler;
  const deployed: unknown = await p.connection.ignition.deploy(GatewayModule, {
    parameters: { Gateway: parameters },
    displayUi: false,
  });
  const address = (deployed as { deposits?: { address?: string } }).deposits?.address;
  if (!address) throw new GatewayChainError("The Ignition deployment of Gateway returned no deposits contract", { retryable: false });
  return { deposits: getAddress(address) };
}
