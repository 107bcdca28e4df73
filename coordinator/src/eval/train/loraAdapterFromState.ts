import type { LoraAdapter, LoraPair } from "../model/types.js";
import { TrainInputError } from "./errors.js";

/**
 * The adapter a LoRA state stands for: float64 master values in the trainer's parameter order
 * (`<target>.lora_a`, `<target>.lora_b` per slot, as attachLora pushes them), rounded to float32
 * pairs exactly as extractAdapter does. So the state after a run's last step (an in-run pass's
 * last checkpoint with checkpointAt "end") gives the run's adapter bit for bit, with no training.
 */
export function loraAdapterFromState(p: { paramNames: readonly string[]; values: readonly Float64Array[]; rank: number; alpha: number }): LoraAdapter {
  if (p.paramNames.length !== p.values.length || p.paramNames.length === 0 || p.paramNames.length % 2 !== 0) {
    throw new TrainInputError(`a LoRA state of ${p.paramNames.length} names and ${p.values.length} values; it needs an A and a B per target`, { hint: "Pass a checkpoint's paramNames and values unchanged" });
  }
  const pairs: LoraPair[] = [];
  for (let i = 0; i < p.paramNames.length; i += 2) {
    const [na, nb] = [p.paramNames[i], p.paramNames[i + 1]];
    const target = na.slice(0, -".lora_a".length);
    if (!na.endsWith(".lora_a") || nb !== `${target}.lora_b`) {
      throw new TrainInputError(`LoRA state names ${na}, ${nb} are not an A and B of one target`, { hint: "Pass a checkpoint's paramNames and values unchanged" });
    }
    const [a, b] = [p.values[i], p.values[i + 1]];
    if (a.length % p.rank !== 0 || b.length % p.rank !== 0) throw new TrainInputError(`LoRA state of ${target} does not fit rank ${p.rank}`, { hint: "Use the run's rank" });
    pairs.push({ target, nIn: a.length / p.rank, nOut: b.length / p.rank, a: Float32Array.from(a), b: Float32Array.from(b) });
  }
  return { rank: p.rank, alpha: p.alpha, pairs };
}
