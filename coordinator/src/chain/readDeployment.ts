import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress } from "viem";
import { ChainError } from "./errors.js";
import type { ProtocolAddresses } from "./types.js";

export type ReadDeploymentParameters = {
  chainId: number;
  /** Ignition's deployments folder (default `ignition/deployments`). */
  deploymentsDir?: string;
  /** Ignition module id: "Protocol" (simulated enclave) or "ProtocolDcap". */
  moduleId?: string;
};

/**
 * The addresses Ignition saved for `chainId` (`ignition/deployments/chain-<id>/deployed_addresses.json`),
 * so every command finds the protocol of the chain it talks to.
 */
export async function readDeployment(p: ReadDeploymentParameters): Promise<ProtocolAddresses> {
  const dir = p.deploymentsDir ?? path.resolve("ignition", "deployments");
  const file = path.join(dir, `chain-${p.chainId}`, "deployed_addresses.json");
  let saved: Record<string, string>;
  try {
    saved = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  } catch (cause) {
    throw new ChainError(
      `No protocol deployment saved for chain ${p.chainId} (${file}). Deploy it first: ` +
        "`npx hardhat ignition deploy ignition/modules/Protocol.ts --network localhost`.",
      { cause },
    );
  }
  const moduleId = p.moduleId ?? (saved["Protocol#ForgeFactory"] ? "Protocol" : "ProtocolDcap");
  const pick = (name: string) => {
    const address = saved[`${moduleId}#${name}`];
    if (!address) throw new ChainError(`Deployment ${file} has no ${moduleId}#${name}`);
    return getAddress(address);
  };
  const verifierName = moduleId === "Protocol" ? "SimulatedQuoteVerifier" : "DcapQuoteVerifier";
  return {
    factory: pick("ForgeFactory"),
    ingot: pick("Ingot"),
    splitter: pick("RevenueSplitter"),
    enclaveRegistry: pick("EnclaveRegistry"),
    verifier: pick(verifierName),
  };
}
