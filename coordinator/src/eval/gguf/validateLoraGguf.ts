import type { GgufFile, GgufTensorInfo } from "./types.js";
import { GgufValidationError } from "./errors.js";
import { metadataFloat, metadataString } from "./metadataValue.js";

export interface ValidateLoraGgufReturnType {
  rank: number;
  alpha: number;
  targets: string[];
}

/**
 * Check a parsed GGUF is a LoRA adapter llama.cpp will apply to `base`: adapter keys, tensors in
 * `<base>.lora_a` ne [n_in, r] / `<base>.lora_b` ne [r, n_out] pairs of one rank, each target a
 * 2-D tensor of the base with matching n_in and n_out. Throws one `GgufValidationError`.
 */
export function validateLoraGguf(
  adapter: Pick<GgufFile, "metadata" | "tensors">,
  base?: Pick<GgufFile, "metadata" | "tensors">,
): ValidateLoraGgufReturnType {
  const m = adapter.metadata;
  const problems: string[] = [];
  if (metadataString(m, "general.type") !== "adapter") problems.push('general.type must be "adapter"');
  if (metadataString(m, "adapter.type") !== "lora") problems.push('adapter.type must be "lora"');
  const alpha = metadataFloat(m, "adapter.lora.alpha");
  if (alpha === undefined || !Number.isFinite(alpha)) problems.push("adapter.lora.alpha is missing or not a float");
  const arch = metadataString(m, "general.architecture");
  const baseArch = base ? metadataString(base.metadata, "general.architecture") : "qwen2";
  if (arch !== baseArch) problems.push(`general.architecture is ${arch ?? "missing"}, the base is ${baseArch}`);

  const baseTensors = new Map<string, GgufTensorInfo>((base?.tensors ?? []).map((t) => [t.name, t]));
  const pairs = new Map<string, { a?: GgufTensorInfo; b?: GgufTensorInfo }>();
  for (const t of adapter.tensors) {
    const match = /^(.*)\.lora_([ab])$/.exec(t.name);
    if (!match) {
      problems.push(`tensor ${t.name} is not named <base>.lora_a or <base>.lora_b`);
      continue;
    }
    const p = pairs.get(match[1]) ?? {};
    p[match[2] as "a" | "b"] = t;
    pairs.set(match[1], p);
  }
  let rank = 0;
  for (const [target, { a, b }] of pairs) {
    if (!a || !b) {
      problems.push(`${target} has lora_${a ? "a" : "b"} but no lora_${a ? "b" : "a"}`);
      continue;
    }
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      problems.push(`${target}: lora_a and lora_b must be 2-D`);
      continue;
    }
    const r = a.shape[1];
    if (b.shape[0] !== r) problems.push(`${target}: lora_a rank ${r} but lora_b ne[0] ${b.shape[0]}`);
    if (rank === 0) rank = r;
    else if (r !== rank) problems.push(`${target}: rank ${r} differs from ${rank}`);
    if (a.type !== "F32" && a.type !== "F16") problems.push(`${target}: lora tensors must be F32 or F16, not ${a.type}`);
    if (base) {
      const w = baseTensors.get(target);
      if (!w || w.shape.length !== 2) problems.push(`${target} is not a 2-D tensor of the base model`);
      else if (w.shape[0] !== a.shape[0] || w.shape[1] !== b.shape[1]) {
        problems.push(`${target}: adapter maps ${a.shape[0]} → ${b.shape[1]}, base tensor is [${w.shape.join(", ")}]`);
      }
    }
  }
  if (pairs.size === 0) problems.push("adapter has no lora tensors");
  if (problems.length > 0) throw new GgufValidationError(problems, "LoRA adapter GGUF");
  return { rank, alpha: alpha ?? 0, targets: [...pairs.keys()] };
}
