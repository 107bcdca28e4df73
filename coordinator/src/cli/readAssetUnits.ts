import { erc20Abi, formatUnits, zeroAddress, type Address, type PublicClient } from "viem";
import { CliError } from "./errors.js";

export type AssetUnits = { asset: Address; decimals: number; symbol: string; format(amount: bigint): string };

/** How to read and write amounts of `asset` (zeroAddress = ETH): its decimals and symbol. */
export async function readAssetUnits(publicClient: PublicClient, asset: Address): Promise<AssetUnits> {
  if (asset === zeroAddress) return units(asset, 18, "ETH");
  let decimals: number;
  try {
    decimals = await publicClient.readContract({ address: asset, abi: erc20Abi, functionName: "decimals" });
  } catch (cause) {
    throw new CliError(`${asset} answers no ERC-20 decimals(); is it the right token address?`, { cause });
  }
  const symbol = await publicClient.readContract({ address: asset, abi: erc20Abi, functionName: "symbol" }).catch(() => `tokens of ${asset}`);
  return units(asset, decimals, symbol);
}

function units(asset: Address, decimals: number, symbol: string): AssetUnits {
  return { asset, decimals, symbol, format: (amount) => `${formatUnits(amount, decimals)} ${symbol}` };
}
