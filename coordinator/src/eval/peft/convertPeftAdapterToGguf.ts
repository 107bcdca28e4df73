import { loraAdapterToGguf } from "../model/loraAdapterToGguf.js";
import { convertPeftAdapter, type ConvertPeftAdapterParameters } from "./convertPeftAdapter.js";

export interface ConvertPeftAdapterToGgufParameters extends ConvertPeftAdapterParameters {
  /** `general.name` of the base model, recorded in the adapter. */
  baseModelName: string;
  /** `general.name` of the adapter. */
  name?: string;
}

/** peft adapter_config.json + adapter_model.safetensors → GGUF LoRA adapter bytes for llama.cpp. */
export function convertPeftAdapterToGguf(params: ConvertPeftAdapterToGgufParameters): Uint8Array {
  const { adapter } = convertPeftAdapter(params);
  return loraAdapterToGguf(adapter, { baseModelName: params.baseModelName, ...(params.name ? { name: params.name } : {}) });
}
