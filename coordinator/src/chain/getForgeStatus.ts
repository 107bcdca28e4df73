import type { Address } from "viem";
import { PHASES, type ForgeConfig, type ForgePhase, type ProtocolContext } from "./types.js";

export type GetForgeStatusReturnType = {
  forge: Address;
  phase: ForgePhase;
  config: ForgeConfig;
  contributions: { data: bigint; compute: bigint; capital: bigint };
  totalCapital: bigint;
  totalRefunded: bigint;
  capitalReleased: boolean;
  ingotId: bigint;
  lineage: { parentIngotId: bigint; lineageBps: number };
  /** Chain time of the latest block. */
  now: bigint;
  /** Seconds until the phase can next change (window end, eval deadline), 0 when final. */
  secondsLeft: bigint;
};

/** Everything a person asks of a Forge, read in one multicall-free batch at the latest block. */
export async function getForgeStatus(ctx: ProtocolContext, forge: Address): Promise<GetForgeStatusReturnType> {
  const read = (functionName: string) => ctx.publicClient.readContract({ address: forge, abi: ctx.abis.Forge, functionName });
  const [phase, config, counts, totalCapital, totalRefunded, capitalReleased, ingotId, lineage, block] = await Promise.all([
    read("phase") as Promise<number>,
    read("config") as Promise<ForgeConfig>,
    read("counts") as Promise<readonly [bigint, bigint, bigint]>,
    read("totalCapital") as Promise<bigint>,
    read("totalRefunded") as Promise<bigint>,
    read("capitalReleased") as Promise<boolean>,
    read("ingotId") as Promise<bigint>,
    read("lineage") as Promise<readonly [bigint, number]>,
    ctx.publicClient.getBlock(),
  ]);
  const name = PHASES[phase];
  const now = block.timestamp;
  const next = name === "Pending" ? config.windowStart : name === "Open" ? config.windowEnd : name === "Closed" ? config.evalDeadline : now;
  return {
    forge,
    phase: name,
    config,
    contributions: { data: counts[0], compute: counts[1], capital: counts[2] },
    totalCapital,
    totalRefunded,
    capitalReleased,
    ingotId,
    lineage: { parentIngotId: lineage[0], lineageBps: lineage[1] },
    now,
    secondsLeft: next > now ? next - now : 0n,
  };
}
