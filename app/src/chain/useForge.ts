import { keepPreviousData } from "@tanstack/react-query";
import { useReadContracts } from "wagmi";
import { useChainNow } from "./useChainNow.js";
import type { Address } from "viem";
import { forgeAbi } from "../abi/protocolAbis.generated.js";
import { PHASE_LABELS, type PhaseLabel } from "../model/forgeSteps.js";

/**
 * Everything the Forge page reads from the Forge in one batch (phase, config, counts, capital,
 * the Ingot), read again at every new block.
 */
export function useForge(forge: Address) {
  const { blockNumber } = useChainNow();
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
    // Keyed by block: a new block is a new read (the previous data shows meanwhile).
    scopeKey: `block-${blockNumber}`,
    query: { placeholderData: keepPreviousData, enabled: blockNumber !== undefined },
  });
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
