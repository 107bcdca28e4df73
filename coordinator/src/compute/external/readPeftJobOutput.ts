import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoraAdapter, Qwen2Config } from "../../eval/model/types.js";
import { convertPeftAdapter } from "../../eval/peft/convertPeftAdapter.js";
import { PeftError } from "../../eval/peft/errors.js";
import { LORA_TARGET_KINDS } from "../../eval/train/network.js";
import type { TrainingJob } from "../types.js";
import { ExternalTrainerOutputError } from "./errors.js";

export interface ReadPeftJobOutputParameters {
  job: TrainingJob;
  /** The directory the trainer wrote adapter_config.json and adapter_model.safetensors to. */
  outputDir: string;
  baseConfig: Qwen2Config;
}

/** Relative tolerance on lora_alpha: peft stores it as written, the converter derives alpha = (lora_alpha / r) · r. */
const ALPHA_TOLERANCE = 1e-6;

/**
 * The trainer's PEFT output as the job's LoRA adapter: read, converted by the eval engine's PEFT
 * converter (every shape checked against the base), then held to the job — rank r, lora_alpha,
 * and exactly one pair per target the job names (in every layer; output once), nothing else.
 * The adapter carries the job's alpha, so the GGUF written from it is the canonical file.
 */
export async function readPeftJobOutput(params: ReadPeftJobOutputParameters): Promise<LoraAdapter> {
  const { job } = params;
  const read = async (file: string) => {
    try {
      return new Uint8Array(await readFile(join(params.outputDir, file)));
    } catch (cause) {
      throw new ExternalTrainerOutputError(job.jobId, "missing", `cannot read ${file} in ${params.outputDir} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, cause);
    }
  };
  const configJson = await read("adapter_config.json");
  const safetensors = await read("adapter_model.safetensors");
  let converted;
  try {
    converted = convertPeftAdapter({ configJson, safetensors, baseConfig: params.baseConfig });
  } catch (cause) {
    if (cause instanceof PeftError) throw new ExternalTrainerOutputError(job.jobId, "malformed", cause.message, cause);
    throw cause;
  }
  const { adapter, config } = converted;
  const problems: string[] = [];
  const { rank, alpha, targets } = job.hyper;
  if (adapter.rank !== rank) problems.push(`r is ${adapter.rank}, the job trains rank ${rank}`);
  if (config.useRslora) problems.push("use_rslora is true; the job scales by lora_alpha / r");
  if (Math.abs(adapter.alpha - alpha) > ALPHA_TOLERANCE * Math.abs(alpha)) problems.push(`lora_alpha is ${config.loraAlpha}, the job's alpha is ${alpha}`);
  const expected: string[] = [];
  for (let l = 0; l < params.baseConfig.numLayers; l++) {
    for (const kind of LORA_TARGET_KINDS) if (kind !== "output" && targets.includes(kind)) expected.push(`blk.${l}.${kind}.weight`);
  }
  if (targets.includes("output")) expected.push("output.weight");
  const got = new Set(adapter.pairs.map((p) => p.target));
  const missing = expected.filter((t) => !got.has(t));
  const extra = [...got].filter((t) => !expected.includes(t));
  if (missing.length > 0) problems.push(`no LoRA pair for ${missing.slice(0, 4).join(", ")}${missing.length > 4 ? ` and ${missing.length - 4} more` : ""}`);
  if (extra.length > 0) problems.push(`LoRA pairs the job did not ask for: ${extra.slice(0, 4).join(", ")}${extra.length > 4 ? ` and ${extra.length - 4} more` : ""}`);
  if (problems.length > 0) throw new ExternalTrainerOutputError(job.jobId, "shape-mismatch", `${problems.join("; ")} (targets ${targets.join(", ")})`);
  return { rank, alpha, pairs: adapter.pairs };
}
