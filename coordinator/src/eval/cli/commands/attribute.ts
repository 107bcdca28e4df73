import { copyFile, writeFile } from "node:fs/promises";
import { DEMO_LORA_HYPER } from "../../demo/demoLoraHyper.js";
import { loadDatasetFile } from "../../demo/loadDatasetFile.js";
import { runAttribution, type NamedContribution } from "../../demo/runAttribution.js";
import { attributionProgress } from "../attributionProgress.js";
import { attributionResultToJson } from "../attributionResultToJson.js";
import { CliUsageError } from "../errors.js";
import { formatAttributionTable } from "../formatAttributionTable.js";
import { numberOption, parseCommandArgs, required } from "../parseCommandArgs.js";
import { parseEstimator, parseSeeds } from "../parseEstimator.js";
import type { CliCommand } from "../types.js";
import { resolveCliThreads } from "../resolveCliThreads.js";

export const ATTRIBUTE_USAGE =
  "usage: eval attribute --model m.gguf --holdout h.jsonl --contrib name=file.jsonl [--contrib ...] " +
  "[--estimator auto|shapley|banzhaf|loo|mc|msr|in-run] [--permutations N] [--samples N] [--sampler-seed S] [--seeds 2] " +
  "[--checkpoints 4] [--projection-dim 16384] [--calibration 5] " +
  "[--steps N] [--cache dir] [--mode exact|fast] [--threads N] [--out served-adapter.gguf] [--json result.json]";

/** Each contribution's marginal value on the holdout, in on-chain (argument) order, as a table. */
export const attributeCommand: CliCommand = async (args, io) => {
  const { values } = parseCommandArgs(
    args,
    {
      model: { type: "string" }, holdout: { type: "string" }, contrib: { type: "string", multiple: true },
      estimator: { type: "string" }, permutations: { type: "string" }, samples: { type: "string" }, "sampler-seed": { type: "string" },
      checkpoints: { type: "string" }, "projection-dim": { type: "string" }, calibration: { type: "string" },
      seeds: { type: "string" }, steps: { type: "string" }, cache: { type: "string" }, mode: { type: "string" }, threads: { type: "string" },
      out: { type: "string" }, json: { type: "string" },
    },
    ATTRIBUTE_USAGE,
  );
  const modelPath = required(values.model, "--model", ATTRIBUTE_USAGE);
  const holdoutPath = required(values.holdout, "--holdout", ATTRIBUTE_USAGE);
  const specs = values.contrib ?? [];
  if (specs.length === 0) throw new CliUsageError("give at least one --contrib name=file.jsonl", ATTRIBUTE_USAGE);
  const method = parseEstimator(values, ATTRIBUTE_USAGE);
  const seeds = parseSeeds(values.seeds, ATTRIBUTE_USAGE);
  const steps = numberOption(values.steps, "--steps", ATTRIBUTE_USAGE, { integer: true, min: 1 });
  const mode = values.mode ?? "exact";
  if (mode !== "exact" && mode !== "fast") throw new CliUsageError(`--mode must be exact or fast, got "${mode}"`, ATTRIBUTE_USAGE);
  const threads = resolveCliThreads(values.threads, ATTRIBUTE_USAGE, io);

  const seen = new Set<string>();
  const contributions: NamedContribution[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0 || eq === spec.length - 1) throw new CliUsageError(`--contrib takes name=file.jsonl, got "${spec}"`, ATTRIBUTE_USAGE);
    const id = spec.slice(0, eq);
    if (seen.has(id)) throw new CliUsageError(`contribution name "${id}" is used twice`, ATTRIBUTE_USAGE);
    seen.add(id);
    contributions.push({ id, examples: await loadDatasetFile(spec.slice(eq + 1)) });
  }
  const holdout = await loadDatasetFile(holdoutPath);

  const result = await runAttribution({
    modelPath,
    holdout,
    contributions,
    method,
    trainingSeeds: seeds,
    hyper: steps !== undefined ? { ...DEMO_LORA_HYPER, steps } : DEMO_LORA_HYPER,
    mode,
    ...(values.cache !== undefined ? { cacheDir: values.cache } : {}),
    threads,
    onProgress: attributionProgress(io),
    signal: io.signal,
  });
  io.out(formatAttributionTable(result, { method: result.scoreVector.method, seeds }));
  if (values.out && result.tuned) {
    await copyFile(result.tuned.path, values.out);
    io.out(`served adapter copied to ${values.out}`);
  }
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(attributionResultToJson(result), null, 2)}\n`);
    io.out(`result written to ${values.json}`);
  }
  io.out(`score vector (1e18 fixed point): [${result.scoreVectorJson.entries.map((e) => e.score).join(", ")}]`);
  return 0;
};
