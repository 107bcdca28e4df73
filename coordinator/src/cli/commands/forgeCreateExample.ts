import { fileURLToPath } from "node:url";
import { formatEther, hexToBytes, zeroAddress, type Address, type Hex } from "viem";
import type { Logger } from "pino";
import { createForge } from "../../chain/createForge.js";
import { DEFAULT_ENTRY_BOND, exampleForgeConfig } from "../../chain/exampleForgeConfig.js";
import { formatDuration } from "../../chain/formatForgeStatus.js";
import { createSimulatedEnclave } from "../../enclave/simulated/createSimulatedEnclave.js";
import { SIMULATED_MEASUREMENT } from "../../enclave/simulated/simulatedMeasurement.js";
import { parseDatasetJsonlStrict } from "../../eval/dataset/parseDatasetJsonlStrict.js";
import { decodeHoldoutEnvelope } from "../../sealing/decodeHoldoutEnvelope.js";
import { sealHoldout } from "../../sealing/sealHoldout.js";
import { CliError, CliUsageError } from "../errors.js";
import {
  optionalString,
  parseAddressOption,
  parseBytes32Option,
  parseDurationOption,
  parseIntegerOption,
} from "../parseOption.js";
import { readInputFile } from "../readInputFile.js";
import { parseAmount } from "../parseAmount.js";
import { readAssetUnits } from "../readAssetUnits.js";
import { DEVELOPMENT_CHAIN_ID } from "../resolveAccount.js";
import { defineCommand, type CliEnvironment } from "../types.js";
import { baseModelNameFromGguf } from "../../eval/demo/baseModelNameFromGguf.js";

/** The demo Forge's holdout (46 examples), sealed to the simulated enclave when no holdout is given. */
export const DEMO_HOLDOUT_PATH = fileURLToPath(new URL("../../../../data/demo/holdout.jsonl", import.meta.url));

type HoldoutSource =
  | { kind: "sealedFile"; file: string; examples: number }
  | { kind: "root"; root: Hex; examples: number }
  | { kind: "demo" };

/**
 * What the ForgeFactory accepts (MIN_OPEN_WINDOW, MAX_WINDOW_AHEAD, MIN_EVAL_PERIOD,
 * MAX_EVAL_PERIOD). The window opens at the latest block's time and the creation lands a few
 * seconds later, so the window is asked one minute above the factory's 5-minute minimum.
 */
const WINDOW_RANGE = { min: 6n * 60n, max: 365n * 86400n, words: "between 6m and 365d (the Forge factory refuses a window open under 5 minutes or ending over 365 days ahead)" };
const EVAL_RANGE = { min: 10n * 60n, max: 90n * 86400n, words: "between 10m and 90d (the Forge factory refuses a shorter or longer eval period)" };

export interface ForgeCreateExampleOptions {
  holdout: HoldoutSource;
  baseModel: { kind: "file"; file: string } | { kind: "root"; root: Hex };
  baseModelName?: string;
  windowSeconds: bigint;
  evalSeconds: bigint;
  erc20?: Address;
  fork?: { parentIngotId: bigint; lineageBps: number };
  measurements?: Hex[];
  /** Bonds in wei of native ETH. */
  dataBond: bigint;
  computeBond: bigint;
  /** Decimal text in the capital asset's units (its decimals are read at run time). */
  minCapital: string;
}

export const forgeCreateExample = defineCommand<ForgeCreateExampleOptions>({
  group: "forge",
  name: "create-example",
  summary: 'create the "Rust Unsafe-Code Auditor" Forge and print its address',
  usage: [
    "  --base-model <file.gguf>      store the base model and commit to its 0G root, or",
    "  --base-model-root <0x..>      the 0G root of a base model stored elsewhere (one of the two is required)",
    "  --base-model-name <name>      recorded with the root (default: a --base-model GGUF's own name, the demo model saying it is",
    "                                the demo model; else Qwen2.5-Coder-3B-Instruct, the product's base model)",
    "  --holdout <sealed file>       an HPKE-sealed holdout (stored; its 0G root is committed), with --holdout-examples, or",
    "  --holdout-root <0x..>         the 0G root of a sealed holdout stored elsewhere, with --holdout-examples",
    "                                (neither: data/demo/holdout.jsonl sealed to the simulated enclave, chain 31337 only)",
    "  --holdout-examples <n>        examples in the sealed holdout",
    "  --window <duration>           contribution window from now (default 7d; 3600, 90m, 12h, 7d; 6m to 365d)",
    "  --eval <duration>             time for the eval after the window (default 3d; 10m to 90d)",
    "  --erc20 <address>             raise capital in this ERC-20 instead of ETH",
    "  --fork <ingotId>              fork a LIVE Ingot, with --lineage-bps (royalty to it, 1-1000, taken from the creator's 10%)",
    "  --lineage-bps <n>",
    "  --measurement <0x..>          allowed enclave measurement, repeatable (default: the simulated enclave's on chain 31337)",
    "  --data-bond <ETH>             bond per data contribution, refunded when included or if the Forge fails,",
    "                                forfeited to the Ingot's holders when excluded (default 0.01)",
    "  --compute-bond <ETH>          bond per compute registration, same rules (default 0.01)",
    "  --min-capital <amount>        smallest new capital position, in ETH or whole tokens (default 0: any)",
  ].join("\n"),
  options: {
    holdout: { type: "string" },
    "holdout-root": { type: "string" },
    "holdout-examples": { type: "string" },
    "base-model": { type: "string" },
    "base-model-root": { type: "string" },
    "base-model-name": { type: "string" },
    window: { type: "string" },
    eval: { type: "string" },
    erc20: { type: "string" },
    fork: { type: "string" },
    "lineage-bps": { type: "string" },
    measurement: { type: "string", multiple: true },
    "data-bond": { type: "string" },
    "compute-bond": { type: "string" },
    "min-capital": { type: "string" },
  },
  parse(values) {
    const holdoutFile = optionalString(values.holdout);
    const holdoutRoot = optionalString(values["holdout-root"]);
    const examplesText = optionalString(values["holdout-examples"]);
    if (holdoutFile && holdoutRoot) throw new CliUsageError("pass either --holdout or --holdout-root, not both");
    let holdout: HoldoutSource = { kind: "demo" };
    if (holdoutFile || holdoutRoot) {
      if (!examplesText) throw new CliUsageError(`${holdoutFile ? "--holdout" : "--holdout-root"} needs --holdout-examples <n> (a sealed holdout does not reveal its size)`);
      const examples = Number(parseIntegerOption(examplesText, "--holdout-examples", { min: 1n, max: 2n ** 32n - 1n }));
      holdout = holdoutFile ? { kind: "sealedFile", file: holdoutFile, examples } : { kind: "root", root: parseBytes32Option(holdoutRoot as string, "--holdout-root"), examples };
    } else if (examplesText) {
      throw new CliUsageError("--holdout-examples goes with --holdout or --holdout-root (the demo holdout counts its own examples)");
    }

    const baseFile = optionalString(values["base-model"]);
    const baseRoot = optionalString(values["base-model-root"]);
    if (baseFile && baseRoot) throw new CliUsageError("pass either --base-model or --base-model-root, not both");
    if (!baseFile && !baseRoot) {
      throw new CliUsageError(
        "missing --base-model <file.gguf> or --base-model-root <0x..> (the demo base model: `npx tsx coordinator/src/eval/cli/main.ts demo-model` prints its path)",
      );
    }

    const forkText = optionalString(values.fork);
    const bpsText = optionalString(values["lineage-bps"]);
    if ((forkText === undefined) !== (bpsText === undefined)) throw new CliUsageError("--fork and --lineage-bps go together");
    const fork = forkText
      ? { parentIngotId: parseIntegerOption(forkText, "--fork", { min: 1n }), lineageBps: Number(parseIntegerOption(bpsText as string, "--lineage-bps", { min: 1n, max: 1000n })) }
      : undefined;

    const measurementValues = (values.measurement as unknown as string[] | undefined) ?? [];
    return {
      holdout,
      baseModel: baseFile ? { kind: "file", file: baseFile } : { kind: "root", root: parseBytes32Option(baseRoot as string, "--base-model-root") },
      baseModelName: optionalString(values["base-model-name"]),
      windowSeconds: values.window === undefined ? 7n * 86400n : parseDurationOption(String(values.window), "--window", WINDOW_RANGE),
      evalSeconds: values.eval === undefined ? 3n * 86400n : parseDurationOption(String(values.eval), "--eval", EVAL_RANGE),
      erc20: optionalString(values.erc20) ? parseAddressOption(String(values.erc20), "--erc20") : undefined,
      fork,
      dataBond: values["data-bond"] === undefined ? DEFAULT_ENTRY_BOND : parseAmount(String(values["data-bond"]), "--data-bond", 18, "ETH", { allowZero: true }),
      computeBond: values["compute-bond"] === undefined ? DEFAULT_ENTRY_BOND : parseAmount(String(values["compute-bond"]), "--compute-bond", 18, "ETH", { allowZero: true }),
      minCapital: values["min-capital"] === undefined ? "0" : (parseAmount(String(values["min-capital"]), "--min-capital", 18, "ETH or tokens", { allowZero: true }), String(values["min-capital"])),
      measurements: measurementValues.length ? measurementValues.map((m) => parseBytes32Option(m, "--measurement")) : undefined,
    };
  },
  async run(env, options) {
    const ctx = await env.protocol();
    const local = ctx.chainId === DEVELOPMENT_CHAIN_ID;
    if (!options.measurements && !local) throw new CliError(`Chain ${ctx.chainId} accepts no simulated enclave: pass --measurement <0x..> (the TDX measurement of the coordinator's enclave).`);
    if (options.holdout.kind === "demo" && !local) throw new CliError(`On chain ${ctx.chainId} pass the Forge's own sealed holdout: --holdout <sealed file> --holdout-examples <n>.`);

    const holdout = await resolveHoldout(env, options.holdout, ctx.chainId);
    let baseModelRoot: Hex;
    let baseModelName = options.baseModelName;
    if (options.baseModel.kind === "root") baseModelRoot = options.baseModel.root;
    else {
      const bytes = await readInputFile(options.baseModel.file, "--base-model");
      baseModelRoot = (await (await env.store()).put(bytes)).root;
      // The model card says what the file is: the demo model is not the product's base model.
      baseModelName ??= baseModelNameFromGguf(bytes);
    }

    const now = (await ctx.publicClient.getBlock()).timestamp;
    const units = await readAssetUnits(ctx.publicClient, options.erc20 ?? zeroAddress);
    const config = exampleForgeConfig({
      creator: ctx.walletClient.account.address,
      now,
      holdoutRoot: holdout.root,
      holdoutExamples: holdout.examples,
      baseModelRoot,
      baseModelName,
      allowedMeasurements: options.measurements ?? [SIMULATED_MEASUREMENT],
      windowSeconds: options.windowSeconds,
      evalSeconds: options.evalSeconds,
      capitalAsset: options.erc20,
      parentIngotId: options.fork?.parentIngotId,
      lineageBps: options.fork?.lineageBps,
      dataBond: options.dataBond,
      computeBond: options.computeBond,
      minCapital: parseAmount(options.minCapital, "--min-capital", units.decimals, units.symbol, { allowZero: true }),
    });
    const { forge, hash } = await createForge(ctx, config);
    const lines = [
      `Created the Forge "Rust Unsafe-Code Auditor" at ${forge}`,
      `  transaction      ${hash}`,
      `  creator          ${config.creator}`,
      `  window           open now, closes in ${formatDuration(options.windowSeconds).replace(/ 0s$/, "")} (at ${isoTime(config.windowEnd)})`,
      `  eval deadline    ${isoTime(config.evalDeadline)}`,
      `  holdout          ${holdout.examples} examples, sealed, root ${holdout.root}${holdout.note ? ` (${holdout.note})` : ""}`,
      `  base model       ${config.baseModelName}, root ${baseModelRoot}`,
      `  capital in       ${config.capitalAsset === "0x0000000000000000000000000000000000000000" ? "ETH" : config.capitalAsset}`,
      `  bonds            ${formatEther(config.dataBond)} ETH per data entry, ${formatEther(config.computeBond)} ETH per compute entry; ` +
        `min. capital position ${units.format(config.minCapital)}`,
    ];
    if (options.fork) lines.push(`  fork of          Ingot #${options.fork.parentIngotId}, royalty ${options.fork.lineageBps / 100}%`);
    return {
      text: lines.join("\n"),
      json: { forge, hash, config, holdoutRoot: holdout.root, baseModelRoot },
    };
  },
});

async function resolveHoldout(env: CliEnvironment, source: HoldoutSource, chainId: number): Promise<{ root: Hex; examples: number; note?: string }> {
  if (source.kind === "root") return { root: source.root, examples: source.examples };
  const store = await env.store();
  if (source.kind === "sealedFile") {
    const bytes = await readInputFile(source.file, "--holdout");
    try {
      decodeHoldoutEnvelope(bytes);
    } catch (cause) {
      throw new CliError(
        `--holdout ${source.file} is not a sealed holdout (${(cause as Error).message}). ` +
          "Seal the JSONL to the enclave's HPKE key first; never put a plaintext holdout on-chain or in storage.",
        { cause },
      );
    }
    const { root } = await store.put(bytes);
    return { root, examples: source.examples };
  }
  const plaintext = await readInputFile(DEMO_HOLDOUT_PATH, "the demo holdout");
  const examples = parseDatasetJsonlStrict(plaintext, { source: DEMO_HOLDOUT_PATH }).length;
  // Only the HPKE public key is used; the enclave's warning would repeat what the note says.
  const quiet = { warn: () => undefined, info: () => undefined } as unknown as Pick<Logger, "warn" | "info">;
  const enclave = await createSimulatedEnclave({ chainId, logger: quiet });
  const { bytes } = await sealHoldout({ plaintext, recipientPublicKey: hexToBytes(enclave.hpkePublicKey) });
  const { root } = await store.put(bytes);
  env.note(`Sealed data/demo/holdout.jsonl (${examples} examples) to the SIMULATED enclave's HPKE key ${enclave.hpkePublicKey} (development only).`);
  return { root, examples, note: "data/demo/holdout.jsonl sealed to the simulated enclave" };
}

function isoTime(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}
