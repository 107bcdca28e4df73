import { z } from "zod";
import { PeftConfigError } from "./errors.js";

/** What we need from peft's adapter_config.json, normalised. */
export interface PeftLoraConfig {
  /** `r`: rank of every A/B pair. */
  rank: number;
  /** `lora_alpha` as written. */
  loraAlpha: number;
  /** `target_modules`: module short names (["q_proj", ...]) or one regex matched against full module names. */
  targetModules: string[] | string;
  useRslora: boolean;
  /** Irrelevant to A/B (torch stores lora_A [r, in] and lora_B [out, r] either way); kept for the record. */
  fanInFanOut: boolean;
  /**
   * The factor peft applies to B·A: lora_alpha / r, or lora_alpha / √r with rsLoRA.
   * llama.cpp applies alpha_gguf / r, so the GGUF adapter's alpha is `scale · rank`.
   */
  scale: number;
  /** `base_model_name_or_path`, when written. */
  baseModelName?: string;
}

const configSchema = z.looseObject({
  peft_type: z.string().optional(),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  target_modules: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
  use_rslora: z.boolean().optional().default(false),
  fan_in_fan_out: z.boolean().optional().default(false),
  use_dora: z.boolean().optional().default(false),
  bias: z.string().optional().default("none"),
  lora_bias: z.boolean().optional().default(false),
  modules_to_save: z.array(z.string()).nullable().optional(),
  rank_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
  alpha_pattern: z.record(z.string(), z.unknown()).nullable().optional(),
  base_model_name_or_path: z.string().nullable().optional(),
});

/**
 * Parses adapter_config.json as peft writes it for a LoRA (or bitsandbytes QLoRA) adapter and
 * refuses what a GGUF LoRA cannot carry: DoRA, trained biases, fully trained modules
 * (modules_to_save), and per-module ranks or alphas (GGUF has one alpha).
 */
export function parseAdapterConfig(json: string | Uint8Array | object): PeftLoraConfig {
  let raw: unknown = json;
  if (typeof json === "string" || json instanceof Uint8Array) {
    try {
      raw = JSON.parse(typeof json === "string" ? json : new TextDecoder("utf-8", { fatal: true }).decode(json));
    } catch (err) {
      throw new PeftConfigError([`it is not JSON (${(err as Error).message})`], { cause: err });
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PeftConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  const c = parsed.data;
  const problems: string[] = [];
  if (c.peft_type !== undefined && c.peft_type !== "LORA") problems.push(`peft_type is ${c.peft_type}, not LORA`);
  if (c.use_dora) problems.push("use_dora is true (DoRA's magnitude vectors have no GGUF LoRA form)");
  if (c.bias !== "none" || c.lora_bias) problems.push(`biases are trained (bias=${c.bias}, lora_bias=${c.lora_bias}); retrain with bias="none"`);
  if (c.modules_to_save && c.modules_to_save.length > 0) problems.push(`modules_to_save (${c.modules_to_save.join(", ")}) holds full weights, not LoRA pairs`);
  if (c.rank_pattern && Object.keys(c.rank_pattern).length > 0) problems.push("rank_pattern gives modules their own rank");
  if (c.alpha_pattern && Object.keys(c.alpha_pattern).length > 0) problems.push("alpha_pattern gives modules their own alpha");
  if (problems.length > 0) throw new PeftConfigError(problems);
  const scale = c.use_rslora ? c.lora_alpha / Math.sqrt(c.r) : c.lora_alpha / c.r;
  return {
    rank: c.r,
    loraAlpha: c.lora_alpha,
    targetModules: c.target_modules,
    useRslora: c.use_rslora,
    fanInFanOut: c.fan_in_fan_out,
    scale,
    ...(c.base_model_name_or_path ? { baseModelName: c.base_model_name_or_path } : {}),
  };
}
