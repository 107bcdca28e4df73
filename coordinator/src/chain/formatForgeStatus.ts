import { formatEther, zeroAddress } from "viem";
import type { GetForgeStatusReturnType } from "./getForgeStatus.js";

/** A Forge's status as a few lines a person reads at a glance. */
export function formatForgeStatus(s: GetForgeStatusReturnType): string {
  const title = readTitle(s.config.metadataURI) ?? s.forge;
  const asset = s.config.capitalAsset === zeroAddress ? "ETH" : s.config.capitalAsset;
  const units = (wei: bigint) => (s.config.capitalAsset === zeroAddress ? `${formatEther(wei)} ETH` : `${wei} (token units)`);
  const amount = units(s.totalCapital);
  const lines = [
    `${title}  [${s.phase}]`,
    `  forge          ${s.forge}`,
    `  base model     ${s.config.baseModelName} · ${s.config.task} · ${s.config.fineTuneMethod} · ${s.config.evalMetric}`,
    `  holdout        ${s.config.holdoutExamples} examples, sealed, root ${s.config.holdoutRoot}`,
    `  contributions  data ${s.contributions.data}/${s.config.caps.maxData} · compute ${s.contributions.compute}/${s.config.caps.maxCompute} · capital ${s.contributions.capital}/${s.config.caps.maxCapital}`,
    `  capital        ${amount} raised in ${asset}` +
      (s.totalRefunded > 0n ? `, ${units(s.totalRefunded)} refunded` : "") +
      (s.capitalReleased ? ", released to the Ingot's holders" : ""),
    `  bonds          ${formatEther(s.config.dataBond)} ETH per data entry · ${formatEther(s.config.computeBond)} ETH per compute entry · ` +
      `min. capital position ${units(s.config.minCapital)}`,
    `  time left      ${s.secondsLeft > 0n ? `${formatDuration(s.secondsLeft)} until ${nextEvent(s.phase)}` : "—"}`,
  ];
  if (s.lineage.parentIngotId > 0n) lines.push(`  lineage        fork of Ingot #${s.lineage.parentIngotId}, royalty ${s.lineage.lineageBps / 100}%`);
  if (s.ingotId > 0n) lines.push(`  ingot          #${s.ingotId}`);
  return lines.join("\n");
}

function nextEvent(phase: string): string {
  return phase === "Pending" ? "the window opens" : phase === "Open" ? "the window closes" : "the eval deadline";
}

export function formatDuration(seconds: bigint): string {
  let s = Number(seconds);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : "", `${s}s`].filter(Boolean).slice(0, 2).join(" ");
}

function readTitle(uri: string): string | undefined {
  const prefix = "data:application/json,";
  if (!uri.startsWith(prefix)) return undefined;
  try {
    return (JSON.parse(decodeURIComponent(uri.slice(prefix.length))) as { title?: string }).title;
  } catch {
    return undefined;
  }
}
