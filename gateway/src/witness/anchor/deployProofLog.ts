import { getAddress, type Address } from "viem";
import type { NetworkConnection } from "hardhat/types/network";
import ProofLogModule from "../../../../ignition/modules/ProofLog.js";

/** Deploy ProofLog through its Ignition module (ignition/modules/ProofLog.ts), APPENDER_ROLE to `appender`; for tests, the benchmark and the demo. */
export async function deployProofLog(p: { connection: Pick<NetworkConnection, "ignition">; appender?: Address }): Promise<{ proofLog: Address }> {
  const parameters: Record<string, string> = p.appender ? { appender: p.appender } : {};
  const deployed: unknown = await p.connection.ignition.deploy(ProofLogModule, { parameters: { ProofLog: parameters }, displayUi: false });
  const address = (deployed as { log?: { address?: string } }).log?.address;
  if (!address) throw new Error("The Ignition deployment of ProofLog returned no log contract");
  return { proofLog: getAddress(address) };
}
