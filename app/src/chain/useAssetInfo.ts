import { useReadContracts } from "wagmi";
import { erc20Abi, zeroAddress, type Address } from "viem";

/** Symbol and decimals of a capital asset: ETH for address(0), else read from the ERC-20. */
export function useAssetInfo(asset: Address): { address: Address; symbol: string; decimals: number; isEth: boolean } {
  const isEth = asset === zeroAddress;
  const reads = useReadContracts({
    contracts: [
      { address: asset, abi: erc20Abi, functionName: "symbol" },
      { address: asset, abi: erc20Abi, functionName: "decimals" },
    ],
    query: { enabled: !isEth },
  });
  if (isEth) return { address: asset, symbol: "ETH", decimals: 18, isEth };
  const symbol = reads.data?.[0]?.result ?? "tokens";
  const decimals = reads.data?.[1]?.result ?? 18;
  return { address: asset, symbol, decimals, isEth };
}

export type AssetInfo = ReturnType<typeof useAssetInfo>;
