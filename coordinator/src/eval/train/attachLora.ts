import type { LoraAdapter, LoraPair } from "../model/types.js";
import { createPrng } from "../../util/prng.js";
import { TrainInputError } from "./errors.js";
import { LORA_TARGET_KINDS, linearFor, type LinearSlot, type LoraTargetKind, type Network } from "./network.js";

/** The linear slots `targets` names, in the canonical order: layer by layer, kinds in LORA_TARGET_KINDS order, output last. */
export function loraSlotsFor(net: Network, targets: readonly LoraTargetKind[]): LinearSlot[] {
  for (const t of targets) {
    if (!(LORA_TARGET_KINDS as readonly string[]).includes(t)) {
      throw new TrainInputError(`Unknown LoRA target "${t}"`, { hint: `Use some of ${LORA_TARGET_KINDS.join(", ")}` });
    }
  }
  const wanted = new Set(targets);
  if (wanted.size === 0) throw new TrainInputError("No LoRA targets given", { hint: "Name at least one projection, e.g. attn_q" });
  if (wanted.has("output") && net.config.tiedEmbeddings) {
    throw new TrainInputError("A LoRA on the output layer needs untied embeddings", {
      hint: "llama.cpp would also apply it to the input embeddings of a tied model; drop the \"output\" target or use a model with output.weight",
    });
  }
  const slots: LinearSlot[] = [];
  for (let l = 0; l < net.layers.length; l++) {
    for (const kind of LORA_TARGET_KINDS) if (kind !== "output" && wanted.has(kind)) slots.push(linearFor(net, kind, l));
  }
  if (wanted.has("output")) slots.push(net.output);
  return slots;
}

/**
 * Attaches fresh, trainable LoRA pairs as PEFT initialises them: A ~ U(−1/√n_in, 1/√n_in)
 * (kaiming_uniform_ with a = √5), B = 0, so the adapted model starts equal to the base. A's values
 * come from the seeded PRNG in the canonical slot order. Gradients are registered with `net.params`.
 */
export function attachLora(net: Network, params: { rank: number; alpha: number; targets: readonly LoraTargetKind[]; seed: string | number }): LinearSlot[] {
  const { rank, alpha } = params;
  if (!Number.isInteger(rank) || rank < 1) throw new TrainInputError(`LoRA rank must be a positive integer, got ${rank}`, { hint: "Use e.g. rank 8" });
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new TrainInputError(`LoRA alpha must be > 0, got ${alpha}`, { hint: "Use e.g. alpha = 2·rank" });
  const slots = loraSlotsFor(net, params.targets);
  const prng = createPrng(`ingotforge/train/lora-init/${typeof params.seed}:${params.seed}`);
  for (const s of slots) {
    const bound = 1 / Math.sqrt(s.nIn);
    const a = new Float64Array(rank * s.nIn);
    for (let i = 0; i < a.length; i++) a[i] = (2 * prng.next() - 1) * bound;
    const b = new Float64Array(s.nOut * rank);
    const ga = new Float64Array(a.length);
    const gb = new Float64Array(b.length);
    s.lora = { rank, scale: alpha / rank, a, b, ga, gb };
    net.params.push({ name: `${s.name}.lora_a`, values: a, grad: ga, decay: true });
    net.params.push({ name: `${s.name}.lora_b`, values: b, grad: gb, decay: true });
  }
  return slots;
}

/** Attaches an existing adapter, frozen (for scoring with it, or checking gradients against it). */
export function attachLoraAdapter(net: Network, adapter: LoraAdapter, options: { trainable?: boolean } = {}): void {
  const byName = new Map(net.linears.map((s) => [s.name, s]));
  if (net.config.tiedEmbeddings) byName.delete("output.weight");
  for (const pair of adapter.pairs) {
    const s = byName.get(pair.target);
    if (!s) throw new TrainInputError(`Adapter targets ${pair.target}, which this model has no linear layer for`, { hint: "Use an adapter made for this base model" });
    if (pair.nIn !== s.nIn || pair.nOut !== s.nOut || pair.a.length !== adapter.rank * s.nIn || pair.b.length !== s.nOut * adapter.rank) {
      throw new TrainInputError(`Adapter pair ${pair.target} has shape ${pair.nIn}×${pair.nOut} (rank ${adapter.rank}), the model ${s.nIn}×${s.nOut}`, {
        hint: "Use an adapter made for this base model",
      });
    }
    const a = Float64Array.from(pair.a);
    const b = Float64Array.from(pair.b);
    const trainable = options.trainable ?? false;
    const ga = trainable ? new Float64Array(a.length) : null;
    const gb = trainable ? new Float64Array(b.length) : null;
    s.lora = { rank: adapter.rank, scale: adapter.alpha / adapter.rank, a, b, ga, gb };
    if (ga && gb) {
      net.params.push({ name: `${s.name}.lora_a`, values: a, grad: ga, decay: true });
      net.params.push({ name: `${s.name}.lora_b`, values: b, grad: gb, decay: true });
    }
  }
}

/** The trained pairs as a LoraAdapter (float32 values, the precision GGUF adapters carry). */
export function extractAdapter(slots: readonly LinearSlot[], rank: number, alpha: number): LoraAdapter {
  const pairs: LoraPair[] = slots.map((s) => ({
    target: s.name,
    nIn: s.nIn,
    nOut: s.nOut,
    a: Float32Array.from(s.lora!.a),
    b: Float32Array.from(s.lora!.b),
  }));
  return { rank, alpha, pairs };
}
