import { zeroAddress, type Address, type Hex } from "viem";
import type { ForgeConfig } from "./types.js";

export type ExampleForgeConfigParameters = {
  creator: Address;
  /** Current chain time (seconds); the window opens now. */
  now: bigint;
  holdoutRoot: Hex;
  holdoutExamples: number;
  baseModelRoot: Hex;
  allowedMeasurements: readonly Hex[];
  /** Base model name; the product's example uses Qwen2.5-Coder-3B-Instruct. */
  baseModelName?: string;
  windowSeconds?: bigint;
  evalSeconds?: bigint;
  capitalAsset?: Address;
  parentIngotId?: bigint;
  lineageBps?: number;
  metadataURI?: string;
  /** Bond per data contribution, wei of native ETH (default 0.01 ETH). */
  dataBond?: bigint;
  /** Bond per compute registration, wei of native ETH (default 0.01 ETH). */
  computeBond?: bigint;
  /** Smallest new capital position, capital-asset units (default 0: any amount). */
  minCapital?: bigint;
};

/** The example's default bond per data or compute entry: 0.01 ETH. */
export const DEFAULT_ENTRY_BOND = 10n ** 16n;

/**
 * The product page's example Forge, "Rust Unsafe-Code Auditor": a code model that reviews Rust
 * `unsafe` blocks and explains the soundness obligations a reviewer must check. Generation task,
 * QLoRA fine-tune, perplexity (lower is better). Split: data 50%, compute 20%, capital 20%,
 * creator 10% (a fork takes its lineage bps out of the creator's part). Each data or compute entry
 * sends a 0.01 ETH bond by default, so filling the Forge's 1,100 data and compute slots ties up 11 ETH.
 */
export function exampleForgeConfig(p: ExampleForgeConfigParameters): ForgeConfig {
  const lineageBps = p.lineageBps ?? 0;
  const windowSeconds = p.windowSeconds ?? 7n * 24n * 3600n;
  const evalSeconds = p.evalSeconds ?? 3n * 24n * 3600n;
  return {
    windowStart: p.now,
    windowEnd: p.now + windowSeconds,
    evalDeadline: p.now + windowSeconds + evalSeconds,
    holdoutExamples: p.holdoutExamples,
    direction: 0,
    creator: p.creator,
    capitalAsset: p.capitalAsset ?? zeroAddress,
    baseModelRoot: p.baseModelRoot,
    holdoutRoot: p.holdoutRoot,
    split: { dataBps: 5000, computeBps: 2000, capitalBps: 2000, creatorBps: 1000 - lineageBps, lineageBps },
    caps: { maxData: 1000, maxCompute: 100, maxCapital: 1000 },
    dataBond: p.dataBond ?? DEFAULT_ENTRY_BOND,
    computeBond: p.computeBond ?? DEFAULT_ENTRY_BOND,
    minCapital: p.minCapital ?? 0n,
    parentIngotId: p.parentIngotId ?? 0n,
    allowedMeasurements: p.allowedMeasurements,
    metadataURI:
      p.metadataURI ??
      "data:application/json," +
        encodeURIComponent(
          JSON.stringify({
            title: "Rust Unsafe-Code Auditor",
            description:
              "A code model that reviews Rust unsafe blocks and explains the soundness obligations a reviewer must check.",
          }),
        ),
    baseModelName: p.baseModelName ?? "Qwen2.5-Coder-3B-Instruct",
    task: "generation",
    fineTuneMethod: "qlora",
    evalMetric: "perplexity",
  };
}
