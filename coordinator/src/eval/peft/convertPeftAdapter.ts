import type { LoraAdapter, LoraPair, Qwen2Config } from "../model/types.js";
import { PeftAdapterError } from "./errors.js";
import { parseAdapterConfig, type PeftLoraConfig } from "./parseAdapterConfig.js";
import { MODULE_ORDER, QWEN2_PEFT_MODULES, ggufTargetName, moduleShape, type Qwen2PeftModule } from "./peftModuleNames.js";
import { readSafetensors, type SafetensorsTensor } from "./readSafetensors.js";

export interface ConvertPeftAdapterParameters {
  /** adapter_config.json (text, bytes or parsed object). */
  configJson: string | Uint8Array | object;
  /** adapter_model.safetensors bytes. */
  safetensors: Uint8Array;
  /** Config of the base model the adapter will be applied to; every shape is checked against it. */
  baseConfig: Qwen2Config;
}

export interface ConvertPeftAdapterReturnType {
  adapter: LoraAdapter;
  config: PeftLoraConfig;
}

const LAYER_NAME = /^base_model\.model\.model\.layers\.(\d+)\.(self_attn|mlp)\.([a-z_]+)\.lora_(A|B)(?:\.default)?\.weight$/;
const LM_HEAD_NAME = /^base_model\.model\.lm_head\.lora_(A|B)(?:\.default)?\.weight$/;

/**
 * Converts a peft LoRA adapter (as peft, with or without bitsandbytes QLoRA, saves it) into the
 * GGUF LoRA layout llama.cpp loads:
 *   base_model.model.model.layers.N.self_attn.{q,k,v,o}_proj.lora_{A,B}.weight → blk.N.attn_{q,k,v,output}.weight
 *   base_model.model.model.layers.N.mlp.{gate,up,down}_proj.lora_{A,B}.weight  → blk.N.ffn_{gate,up,down}.weight
 *   base_model.model.lm_head.lora_{A,B}.weight                                 → output.weight
 * torch's lora_A [r, in] and lora_B [out, r] are row-major, which is exactly ggml's ne [in, r] and
 * [r, out]: values are copied, never transposed. peft scales B·A by lora_alpha / r (or / √r with
 * rsLoRA); llama.cpp by alpha / r, so alpha = scale · r.
 */
export function convertPeftAdapter(params: ConvertPeftAdapterParameters): ConvertPeftAdapterReturnType {
  const config = parseAdapterConfig(params.configJson);
  const { tensors } = readSafetensors(params.safetensors);
  const base = params.baseConfig;
  const problems: string[] = [];
  const found = new Map<string, { module: Qwen2PeftModule; layer: number; A?: SafetensorsTensor; B?: SafetensorsTensor }>();
  const targetRegex = typeof config.targetModules === "string" ? new RegExp(`^(?:${config.targetModules})$`) : undefined;

  for (const [name, tensor] of tensors) {
    let module: Qwen2PeftModule;
    let layer = -1;
    let which: "A" | "B";
    const m = LAYER_NAME.exec(name);
    const head = LM_HEAD_NAME.exec(name);
    if (m) {
      layer = Number(m[1]);
      const short = m[3] as keyof typeof QWEN2_PEFT_MODULES;
      const known = Object.hasOwn(QWEN2_PEFT_MODULES, short) ? QWEN2_PEFT_MODULES[short] : undefined;
      if (!known || known.block !== m[2]) {
        problems.push(`${name}: ${m[2]}.${m[3]} is not a qwen2 linear layer llama.cpp can adapt`);
        continue;
      }
      if (layer >= base.numLayers) {
        problems.push(`${name}: layer ${layer} does not exist in a ${base.numLayers}-layer base`);
        continue;
      }
      module = short;
      which = m[4] as "A" | "B";
    } else if (head) {
      if (base.tiedEmbeddings) {
        problems.push(`${name}: the base ties its output layer to token_embd (no output.weight), so llama.cpp has no tensor to adapt`);
        continue;
      }
      module = "lm_head";
      which = head[1] as "A" | "B";
    } else {
      problems.push(`${name}: not a LoRA A/B weight of a qwen2 projection or lm_head`);
      continue;
    }
    const fullModule = module === "lm_head" ? "lm_head" : `model.layers.${layer}.${QWEN2_PEFT_MODULES[module].block}.${module}`;
    const listed = targetRegex ? targetRegex.test(fullModule) : (config.targetModules as string[]).includes(module);
    if (!listed) problems.push(`${name}: module ${module} is not in target_modules (${String(config.targetModules)})`);
    const target = ggufTargetName(module, layer);
    const entry = found.get(target) ?? { module, layer };
    entry[which] = tensor;
    found.set(target, entry);
  }

  const pairs: (LoraPair & { order: number })[] = [];
  for (const [target, e] of found) {
    if (!e.A || !e.B) {
      problems.push(`${target}: lora_${e.A ? "B" : "A"} is missing`);
      continue;
    }
    const [nIn, nOut] = moduleShape(e.module, base);
    const r = config.rank;
    if (!sameShape(e.A.shape, [r, nIn])) problems.push(`${target}: lora_A has shape [${e.A.shape}], expected [r=${r}, in=${nIn}]`);
    if (!sameShape(e.B.shape, [nOut, r])) problems.push(`${target}: lora_B has shape [${e.B.shape}], expected [out=${nOut}, r=${r}]`);
    if (!e.A.values.every(Number.isFinite) || !e.B.values.every(Number.isFinite)) problems.push(`${target}: holds NaN or infinite values`);
    const order = (e.module === "lm_head" ? base.numLayers : e.layer) * MODULE_ORDER.length + MODULE_ORDER.indexOf(e.module);
    pairs.push({ target, nIn, nOut, a: e.A.values, b: e.B.values, order });
  }
  if (found.size === 0 && problems.length === 0) problems.push("the file holds no LoRA weights");
  if (problems.length > 0) throw new PeftAdapterError(problems);

  pairs.sort((x, y) => x.order - y.order);
  return {
    adapter: { rank: config.rank, alpha: config.scale * config.rank, pairs: pairs.map(({ order: _order, ...p }) => p) },
    config,
  };
}

function sameShape(actual: readonly number[], expected: readonly number[]) {
  return actual.length === expected.length && actual.every((d, i) => d === expected[i]);
}
