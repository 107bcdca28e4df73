import type { Address } from "viem";
import { formatForgeStatus } from "../../chain/formatForgeStatus.js";
import { getForgeStatus } from "../../chain/getForgeStatus.js";
import { PHASES, type ForgePhase } from "../../chain/types.js";
import { CliError, CliUsageError } from "../errors.js";
import { parseAddressOption, parseDurationOption, requireOption } from "../parseOption.js";
import { defineCommand } from "../types.js";

export interface ForgeWaitOptions {
  forge: Address;
  phase: ForgePhase;
  timeoutSeconds: bigint;
  pollMs: number;
}

/** The phases a Forge can end in: waiting for one of them past the other is hopeless. */
const FINAL: readonly ForgePhase[] = ["Live", "Failed"];

export const forgeWait = defineCommand<ForgeWaitOptions>({
  group: "forge",
  name: "wait",
  summary: "wait until a Forge reaches a phase (e.g. Live once the coordinator has submitted), saying each phase it passes",
  usage: [
    `  --forge <address>    the Forge (required)`,
    `  --phase <phase>      ${PHASES.join(", ")} (default Live)`,
    "  --timeout <duration> give up after this long (default 1h; 90s, 30m, 2h)",
    "  Exits 1 when the Forge ends in the other final phase (Failed while waiting for Live) or the time runs out.",
  ].join("\n"),
  options: { forge: { type: "string" }, phase: { type: "string" }, timeout: { type: "string" }, "poll-ms": { type: "string" } },
  parse(values) {
    const phaseText = typeof values.phase === "string" ? values.phase : "Live";
    const phase = PHASES.find((p) => p.toLowerCase() === phaseText.toLowerCase());
    if (!phase) throw new CliUsageError(`--phase must be one of ${PHASES.join(", ")}, got "${phaseText}"`);
    const pollMs = typeof values["poll-ms"] === "string" ? Number(values["poll-ms"]) : 1000;
    if (!Number.isInteger(pollMs) || pollMs < 50) throw new CliUsageError("--poll-ms must be an integer ≥ 50");
    return {
      forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge"),
      phase,
      timeoutSeconds: values.timeout === undefined ? 3600n : parseDurationOption(String(values.timeout), "--timeout"),
      pollMs,
    };
  },
  async run(env, { forge, phase, timeoutSeconds, pollMs }) {
    const ctx = await env.protocol();
    const known = (await ctx.publicClient.readContract({ address: ctx.addresses.factory, abi: ctx.abis.ForgeFactory, functionName: "isForge", args: [forge] })) as boolean;
    if (!known) throw new CliError(`${forge} is not a Forge of this deployment's factory (${ctx.addresses.factory}). \`forge list\` shows them.`);
    const started = Date.now();
    const deadline = started + Number(timeoutSeconds) * 1000;
    let last: ForgePhase | undefined;
    for (;;) {
      const status = await getForgeStatus(ctx, forge);
      const elapsed = `${Math.round((Date.now() - started) / 1000)} s`;
      if (status.phase !== last) {
        env.note(`[${status.phase}] after ${elapsed}${status.phase === phase ? "" : `, waiting for ${phase}`}`);
        last = status.phase;
      }
      if (status.phase === phase) return { text: formatForgeStatus(status), json: { ...status, waitedSeconds: Math.round((Date.now() - started) / 1000) } };
      if (FINAL.includes(status.phase)) {
        throw new CliError(`Forge ${forge} ended ${status.phase}; it will never be ${phase}.${status.phase === "Failed" ? " Its capital and bonds are refundable (`forge refund`, `forge refund-bond`)." : ""}`);
      }
      if (Date.now() >= deadline) {
        throw new CliError(
          `Forge ${forge} is still ${status.phase} after ${elapsed}. Is the coordinator running (\`npm run coordinator -- run\`) and its worker? Its log says what it waits for; run this again to keep waiting.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  },
});
