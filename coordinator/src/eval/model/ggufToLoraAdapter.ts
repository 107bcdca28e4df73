import { dequantizeTensor } from "../gguf/dequantizeTensor.js";
import { ggufTensorData, readGguf } from "../gguf/readGguf.js";
import { validateLoraGguf } from "../gguf/validateLoraGguf.js";
import type { LoraAdapter, LoraPair } from "./types.js";

/** Read a LoRA adapter GGUF (validated first); pairs in file order. */
export function ggufToLoraAdapter(bytes: Uint8Array): LoraAdapter {
  const file = readGguf(bytes);
  const { rank, alpha } = validateLoraGguf(file);
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const pairs: LoraPair[] = [];
  for (const t of file.tensors) {
    if (!t.name.endsWith(".lora_a")) continue;
    const target = t.name.slice(0, -".lora_a".length);
    const b = byName.get(`${target}.lora_b`)!;
    pairs.push({
      target,
      nIn: t.shape[0],
      nOut: b.shape[1],
      a: dequantizeTensor({ data: ggufTensorData(file, t), type: t.type, count: t.shape[0] * t.shape[1], name: t.name }),
      b: dequantizeTensor({ data: ggufTensorData(file, b), type: b.type, count: b.shape[0] * b.shape[1], name: b.name }),
    });
  }
  return { rank, alpha, pairs };
}
