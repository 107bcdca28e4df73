import { writeFile } from "node:fs/promises";
import { runDemoAttribution } from "../../demo/runDemoAttribution.js";
import { attributionProgress } from "../attributionProgress.js";
import { attributionResultToJson } from "../attributionResultToJson.js";
import { CliUsageError } from "../errors.js";
import { formatAttributionTable } from "../formatAttributionTable.js";
import { parseCommandArgs } from "../parseCommandArgs.js";
import { parseEstimator, parseSeeds } from "../parseEstimator.js";
import type { CliCommand } from "../types.js";
import { resolveCliThreads } from "../resolveCliThreads.js";
import { DEMO_MODEL_THREADS } from "../../demo/demoModelThreads.js";

export const DEMO_USAGE = "usage: eval demo [--scenario demo|five] [--estimator auto|shapley|banzhaf|loo|mc|msr|in-run] [--seeds 2] [--cache dir] [--data dir] [--threads N] [--json result.json]";

/** The demo scenario on the real demo data and the cached demo base model, as a table. */
export const demoCommand: CliCommand = async (args, io) => {
  const { values } = parseCommandArgs(
    args,
    {
      scenario: { type: "string" }, estimator: { type: "string" }, permutations: { type: "string" }, samples: { type: "string" },
      "sampler-seed": { type: "string" }, seeds: { type: "string" }, cache: { type: "string" }, data: { type: "string" },
      threads: { type: "string" }, json: { type: "string" },
    },
    DEMO_USAGE,
  );
  const scenario = values.scenario ?? "demo";
  if (scenario !== "demo" && scenario !== "five") throw new CliUsageError(`--scenario must be demo or five, got "${scenario}"`, DEMO_USAGE);
  const method = parseEstimator(values, DEMO_USAGE);
  const seeds = parseSeeds(values.seeds, DEMO_USAGE);
  const threads = resolveCliThreads(values.threads, DEMO_USAGE, io, DEMO_MODEL_THREADS);
  const result = await runDemoAttribution({
    scenario,
    method,
    trainingSeeds: seeds,
    ...(values.cache !== undefined ? { cacheDir: values.cache } : {}),
    ...(values.data !== undefined ? { dataDir: values.data } : {}),
    threads,
    onProgress: attributionProgress(io),
    signal: io.signal,
  });
  io.out(`demo base model: ${result.model.path}${result.model.built ? " (built now)" : " (cached)"}`);
  for (const [id, note] of Object.entries(result.notes)) io.out(`${id}: ${note}`);
  io.out(formatAttributionTable(result, { method: result.scoreVector.method, seeds }));
  io.out(`score vector (1e18 fixed point): [${result.scoreVectorJson.entries.map((e) => e.score).join(", ")}]`);
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify({ scenario, notes: result.notes, model: { path: result.model.path, key: result.model.key }, ...attributionResultToJson(result) }, null, 2)}\n`);
    io.out(`result written to ${values.json}`);
  }
  return 0;
};
