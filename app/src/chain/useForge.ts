import { useEffect } from "react";
import { useReadContracts } from "wagmi";
import type { Address } from "viem";
import { forgeAbi } from "../abi/protocolAbis.generated.js";
import { PHASE_LABELS, type PhaseLabel } from "../model/forgeSteps.js";

/**
 * Everything the Forge page reads from the Forge in one batch (phase, config, counts, capital,
 * the Ingot), refetched on every new block.
 */
export function useForge(forge: Address, blockNumber: bigint | undefined) {
  const c = { address: forge, abi: forgeAbi } as const;
  const reads = useReadContracts({
    contracts: [
      { ...c, functionName: "phase" },
      { ...c, functionName: "config" },
      { ...c, functionName: "counts" },
      { ...c, functionName: "totalCapital" },
      { ...c, functionName: "ingotId" },
      { ...c, functionName: "capitalReleased" },
      { ...c, functionName: "lineage" },
    ],
    allowFailure: false,
  });
  const { refetch } = reads;
  useEffect(() => {
    if (blockNumber !== undefined) void refetch();
  }, [blockNumber, refetch]);
  if (!reads.data) return { status: reads.status, error: reads.error } as const;
  const [phase, config, counts, totalCapital, ingotId, capitalReleased, lineage] = reads.data;
  return {
    status: "success",
    error: null,
    phase: PHASE_LABELS[phase] as PhaseLabel,
    config,
    counts: { data: counts[0], compute: counts[1], capital: counts[2] },
    totalCapital,
    ingotId,
    capitalReleased,
    lineage: { parentIngotId: lineage[0], lineageBps: lineage[1] },
  } as const;
}

export type ForgeView = Extract<ReturnType<typeof useForge>, { status: "success" }>;
