import type { Qwen2Config } from "../model/types.js";

/** peft module short name → GGUF tensor suffix, with where it lives in a qwen2 block. */
export const QWEN2_PEFT_MODULES = {
  q_proj: { block: "self_attn", gguf: "attn_q" },
  k_proj: { block: "self_attn", gguf: "attn_k" },
  v_proj: { block: "self_attn", gguf: "attn_v" },
  o_proj: { block: "self_attn", gguf: "attn_output" },
  gate_proj: { block: "mlp", gguf: "ffn_gate" },
  up_proj: { block: "mlp", gguf: "ffn_up" },
  down_proj: { block: "mlp", gguf: "ffn_down" },
} as const;

export type Qwen2PeftModule = keyof typeof QWEN2_PEFT_MODULES | "lm_head";

/** Order of pairs in a converted adapter: by layer, then this order; lm_head last. */
export const MODULE_ORDER: Qwen2PeftModule[] = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"];

/** [n_in, n_out] of a module's linear layer in a qwen2 model with this config. */
export function moduleShape(module: Qwen2PeftModule, config: Qwen2Config): [number, number] {
  const headDim = config.hiddenSize / config.numHeads;
  const h = config.hiddenSize;
  switch (module) {
    case "q_proj":
      return [h, config.numHeads * headDim];
    case "k_proj":
    case "v_proj":
      return [h, config.numKvHeads * headDim];
    case "o_proj":
      return [config.numHeads * headDim, h];
    case "gate_proj":
    case "up_proj":
      return [h, config.intermediateSize];
    case "down_proj":
      return [config.intermediateSize, h];
    case "lm_head":
      return [h, config.vocabSize];
  }
}

/** GGUF base tensor name of a module in layer `layer` (ignored for lm_head). */
export function ggufTargetName(module: Qwen2PeftModule, layer: number): string {
  return module === "lm_head" ? "output.weight" : `blk.${layer}.${QWEN2_PEFT_MODULES[module].gguf}.weight`;
}

/** peft's saved tensor name for a module's A or B matrix (adapter name stripped, as peft saves it). */
export function peftTensorName(module: Qwen2PeftModule, layer: number, which: "A" | "B"): string {
  if (module === "lm_head") return `base_model.model.lm_head.lora_${which}.weight`;
  return `base_model.model.model.layers.${layer}.${QWEN2_PEFT_MODULES[module].block}.${module}.lora_${which}.weight`;
}
