import { readFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, type Abi, type Address } from "viem";
import { ChainError } from "../chain/errors.js";
import type { CliEnvironment } from "./types.js";

export type ResolveGatewayDepositsReturnType = { address: Address; abi: Abi };

/**
 * The gateway's prepaid-credit contract for the connected chain: `--deposits <address>`, else the
 * `Gateway#GatewayDeposits` that `ignition deploy ignition/modules/Gateway.ts` saved beside the
 * protocol's deployment; its ABI from the build output.
 */
export async function resolveGatewayDeposits(env: CliEnvironment, deposits: Address | undefined): Promise<ResolveGatewayDepositsReturnType> {
  const artifact = path.join(env.global.artifactsDir, "contracts", "GatewayDeposits.sol", "GatewayDeposits.json");
  let abi: Abi;
  try {
    abi = (JSON.parse(await readFile(artifact, "utf8")) as { abi: Abi }).abi;
  } catch (cause) {
    throw new ChainError(`No build output for GatewayDeposits at ${artifact}. Run \`npx hardhat build\` first.`, { cause });
  }
  if (deposits) return { address: deposits, abi };
  const { chainId } = await env.connect();
  const file = path.join(env.global.deploymentsDir, `chain-${chainId}`, "deployed_addresses.json");
  const saved = JSON.parse(await readFile(file, "utf8").catch(() => "{}")) as Record<string, string>;
  const address = saved["Gateway#GatewayDeposits"];
  if (!address) {
    throw new ChainError(
      `No GatewayDeposits deployment for chain ${chainId} in ${file}: pass --deposits <address>, or deploy it with ` +
        "`npx hardhat ignition deploy ignition/modules/Gateway.ts --network localhost --parameters <file naming the splitter>`.",
    );
  }
  return { address: getAddress(address), abi };
}
