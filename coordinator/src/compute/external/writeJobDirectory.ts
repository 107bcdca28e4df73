import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import type { Qwen2Config } from "../../eval/model/types.js";
import type { LoraTargetKind } from "../../eval/train/network.js";
import type { LoraHyperParameters } from "../../eval/train/types.js";
import type { ScoredSequence, TrainingJob } from "../types.js";

/** `kind` of job.json; bumped whenever the contract's meaning changes. */
export const EXTERNAL_JOB_KIND = "ingotforge/external-training-job/v1";

/** The job's LoRA target kinds as peft's target_modules names them (qwen2). */
export const PEFT_MODULE_OF_TARGET: Record<LoraTargetKind, string> = {
  attn_q: "q_proj",
  attn_k: "k_proj",
  attn_v: "v_proj",
  attn_output: "o_proj",
  ffn_gate: "gate_proj",
  ffn_up: "up_proj",
  ffn_down: "down_proj",
  output: "lm_head",
};

/** job.json: everything an external trainer gets for one job (see external/README.md). */
export interface ExternalJobFile {
  kind: typeof EXTERNAL_JOB_KIND;
  /** The job exactly as planned; its jobId is the hash of its other fields. */
  job: TrainingJob;
  jobId: Hex;
  /** = job.hyper, seed included. */
  hyper: LoraHyperParameters;
  seed: string | number;
  baseModel: {
    /** 0G root of the base GGUF (job.baseModelRoot). */
    root: Hex;
    /** Absolute path of that GGUF on this machine (read-only; shared between jobs). */
    path: string;
    config: Qwen2Config;
  };
  /** File in the job directory: one {"id","tokens","scoreFrom"} JSON object per line, in job order. */
  sequencesFile: "sequences.jsonl";
  examples: number;
  /** Absolute path of the (empty) directory the trainer writes its PEFT adapter to. */
  outputDir: string;
  /**
   * The deterministic trainer's batch schedule: step k (0-based) trains on the sequences at these
   * 0-based line indices of sequences.jsonl. Following it keeps an external run close to the
   * reference; its length is the job's step count.
   */
  batches: number[][];
  /** Scored tokens summed over `batches` (what the signed result claims, whatever the trainer did). */
  expectedTrainedTokens: number;
  /** The LoraConfig to train with: r, lora_alpha, target_modules (peft names), no bias, no DoRA. */
  peft: { r: number; lora_alpha: number; target_modules: string[]; bias: "none"; use_dora: false; use_rslora: false };
}

export interface WriteJobDirectoryParameters {
  /** An empty directory made for this job run. */
  jobDir: string;
  job: TrainingJob;
  sequences: readonly ScoredSequence[];
  baseModelPath: string;
  baseConfig: Qwen2Config;
  expectedTrainedTokens: number;
  batches: number[][];
}

export interface WriteJobDirectoryReturnType {
  jobFile: string;
  sequencesFile: string;
  outputDir: string;
  contents: ExternalJobFile;
}

/**
 * Writes one job's inputs, and only those: job.json, sequences.jsonl and an empty output/. The
 * base model is named by path (it is large and shared), never copied; nothing about the holdout
 * or other jobs is in reach of the trainer through this directory.
 */
export async function writeJobDirectory(params: WriteJobDirectoryParameters): Promise<WriteJobDirectoryReturnType> {
  const { job } = params;
  const outputDir = join(params.jobDir, "output");
  await mkdir(outputDir, { recursive: true });
  const contents: ExternalJobFile = {
    kind: EXTERNAL_JOB_KIND,
    job,
    jobId: job.jobId,
    hyper: job.hyper,
    seed: job.hyper.seed,
    baseModel: { root: job.baseModelRoot, path: params.baseModelPath, config: params.baseConfig },
    sequencesFile: "sequences.jsonl",
    examples: params.sequences.length,
    outputDir,
    batches: params.batches,
    expectedTrainedTokens: params.expectedTrainedTokens,
    peft: {
      r: job.hyper.rank,
      lora_alpha: job.hyper.alpha,
      target_modules: job.hyper.targets.map((t) => PEFT_MODULE_OF_TARGET[t]),
      bias: "none",
      use_dora: false,
      use_rslora: false,
    },
  };
  const jobFile = join(params.jobDir, "job.json");
  const sequencesFile = join(params.jobDir, contents.sequencesFile);
  await writeFile(jobFile, `${JSON.stringify(contents, null, 2)}\n`);
  await writeFile(sequencesFile, params.sequences.map((s) => `${JSON.stringify({ id: s.id, tokens: s.tokens, scoreFrom: s.scoreFrom })}\n`).join(""));
  return { jobFile, sequencesFile, outputDir, contents };
}
