import type { LoraAdapter } from "../model/types.js";
import { PeftAdapterError } from "./errors.js";
import { MODULE_ORDER, QWEN2_PEFT_MODULES, peftTensorName, type Qwen2PeftModule } from "./peftModuleNames.js";
import type { SafetensorsDtype } from "./readSafetensors.js";
import { writeSafetensors, type WriteSafetensorsTensor } from "./writeSafetensors.js";

export interface LoraAdapterToPeftParameters {
  /** Storage type of the A/B weights (peft writes the training dtype). Default F32. */
  dtype?: SafetensorsDtype;
  /** Written as base_model_name_or_path. */
  baseModelName?: string;
}

export interface LoraAdapterToPeftReturnType {
  /** adapter_config.json text. */
  configJson: string;
  /** adapter_model.safetensors bytes. */
  safetensors: Uint8Array;
}

const GGUF_TO_MODULE = new Map<string, Qwen2PeftModule>(
  Object.entries(QWEN2_PEFT_MODULES).map(([module, v]) => [v.gguf, module as Qwen2PeftModule]),
);
const TARGET = /^blk\.(\d+)\.([a-z_]+)\.weight$/;

/**
 * Writes a GGUF-layout LoRA adapter in peft's layout (adapter_config.json + safetensors), so an
 * adapter trained here can be loaded by peft on a GPU, and the converter can be tested against a
 * known adapter. The inverse of convertPeftAdapter.
 */
export function loraAdapterToPeft(adapter: LoraAdapter, options: LoraAdapterToPeftParameters = {}): LoraAdapterToPeftReturnType {
  const dtype = options.dtype ?? "F32";
  const tensors: WriteSafetensorsTensor[] = [];
  const modules = new Set<Qwen2PeftModule>();
  const r = adapter.rank;
  for (const p of adapter.pairs) {
    let module: Qwen2PeftModule | undefined;
    let layer = 0;
    const m = TARGET.exec(p.target);
    if (p.target === "output.weight") module = "lm_head";
    else if (m) {
      module = GGUF_TO_MODULE.get(m[2]);
      layer = Number(m[1]);
    }
    if (!module) throw new PeftAdapterError([`${p.target} has no peft module name`], "Only qwen2 projections and output.weight can be written.");
    if (p.a.length !== r * p.nIn || p.b.length !== p.nOut * r) throw new PeftAdapterError([`${p.target}: A/B sizes do not match rank ${r}`], "Check the adapter's rank.");
    modules.add(module);
    tensors.push({ name: peftTensorName(module, layer, "A"), dtype, shape: [r, p.nIn], values: p.a });
    tensors.push({ name: peftTensorName(module, layer, "B"), dtype, shape: [p.nOut, r], values: p.b });
  }
  const config = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: options.baseModelName ?? null,
    r,
    lora_alpha: adapter.alpha,
    lora_dropout: 0,
    target_modules: MODULE_ORDER.filter((m) => modules.has(m)),
    bias: "none",
    use_rslora: false,
    use_dora: false,
    fan_in_fan_out: false,
    modules_to_save: null,
    inference_mode: true,
  };
  return { configJson: `${JSON.stringify(config, null, 2)}\n`, safetensors: writeSafetensors(tensors, { format: "pt" }) };
}
