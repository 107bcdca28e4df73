import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Abi } from "viem";
import { ChainError } from "./errors.js";

/** The contracts the coordinator and the CLI talk to. */
export const PROTOCOL_CONTRACTS = {
  Forge: "contracts/Forge.sol",
  ForgeFactory: "contracts/ForgeFactory.sol",
  Ingot: "contracts/Ingot.sol",
  RevenueSplitter: "contracts/RevenueSplitter.sol",
  EnclaveRegistry: "contracts/EnclaveRegistry.sol",
} as const;

export type ProtocolContractName = keyof typeof PROTOCOL_CONTRACTS;
export type ProtocolAbis = Record<ProtocolContractName, Abi>;

export type LoadProtocolAbisParameters = {
  /** Hardhat's artifacts folder (default: `artifacts` under the current directory). */
  artifactsDir?: string;
};

/**
 * ABIs from Hardhat's build output, so the CLI and the coordinator run outside Hardhat against
 * any RPC. Fails with what to run when the contracts were not built.
 */
export async function loadProtocolAbis(parameters: LoadProtocolAbisParameters = {}): Promise<ProtocolAbis> {
  const artifactsDir = parameters.artifactsDir ?? path.resolve("artifacts");
  const entries = await Promise.all(
    (Object.entries(PROTOCOL_CONTRACTS) as [ProtocolContractName, string][]).map(async ([name, source]) => {
      const file = path.join(artifactsDir, source, `${name}.json`);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (cause) {
        throw new ChainError(`No build output for ${name} at ${file}. Run \`npx hardhat build\` first.`, { cause });
      }
      return [name, (JSON.parse(text) as { abi: Abi }).abi] as const;
    }),
  );
  return Object.fromEntries(entries) as ProtocolAbis;
}
