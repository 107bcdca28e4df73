import { createPrng } from "../../util/prng.js";
import { ModelError } from "./errors.js";
import { createTensor } from "./createTensor.js";
import { qwen2TensorShapes } from "./qwen2TensorShapes.js";
import type { BpeTokenizerSpec, Qwen2Config, Qwen2Model, Tensor, TensorType } from "./types.js";

export interface CreateRandomModelParameters {
  seed: string | number;
  config: Qwen2Config;
  /** Storage of the 2-D weights (embeddings included); 1-D norms and biases are always F32. */
  tensorType: TensorType;
  /** `tokens.length` must equal `config.vocabSize`. */
  tokenizer: BpeTokenizerSpec;
  name?: string;
  /**
   * Multiplies the standard deviation of every 2-D weight (default 1: linear layers N(0, 1/n_in),
   * embeddings N(0, 1)), so logits are far from uniform and tests exercise real numerics.
   */
  weightScale?: number;
  /**
   * "gaussian" (default) or "uniform" on [−√3·std, √3·std] (same std, one PRNG draw per value,
   * several times faster: for shape-only models such as a 0.5B-parameter speed benchmark).
   */
  distribution?: "gaussian" | "uniform";
}

/**
 * A qwen2 model with seeded random weights, identical for the same parameters on every run
 * and platform (tensors are drawn in GGUF order from one `createPrng(seed)` stream).
 */
export function createRandomModel({
  seed,
  config,
  tensorType,
  tokenizer,
  name = `random-qwen2-${String(seed)}`,
  weightScale = 1,
  distribution = "gaussian",
}: CreateRandomModelParameters): Qwen2Model {
  checkConfig(config);
  if (tokenizer.tokens.length !== config.vocabSize) {
    throw new ModelError(`tokenizer has ${tokenizer.tokens.length} tokens but config.vocabSize is ${config.vocabSize}; make them equal`);
  }
  const prng = createPrng(seed);
  const tensors = new Map<string, Tensor>();
  for (const [tensorName, shape] of qwen2TensorShapes(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    // Float32 storage is exact here: every tensor type rounds its input to float32 first.
    const values = new Float32Array(count);
    if (shape.length === 1) {
      // Norm gains near 1, biases near 0.
      const isNorm = tensorName.endsWith("norm.weight");
      for (let i = 0; i < count; i++) values[i] = (isNorm ? 1 : 0) + 0.1 * prng.nextGaussian();
      tensors.set(tensorName, createTensor(tensorName, shape, "F32", values));
    } else {
      const std = (tensorName === "token_embd.weight" ? 1 : 1 / Math.sqrt(shape[0])) * weightScale;
      if (distribution === "uniform") {
        const half = Math.sqrt(3) * std;
        for (let i = 0; i < count; i++) values[i] = (2 * prng.next() - 1) * half;
      } else {
        for (let i = 0; i < count; i++) values[i] = std * prng.nextGaussian();
      }
      tensors.set(tensorName, createTensor(tensorName, shape, tensorType, values));
    }
  }
  return { name, config: { ...config }, tokenizer, tensors };
}

export function checkConfig(c: Qwen2Config): void {
  const problems: string[] = [];
  for (const key of ["vocabSize", "hiddenSize", "numLayers", "intermediateSize", "numHeads", "numKvHeads", "contextLength"] as const) {
    if (!Number.isInteger(c[key]) || c[key] <= 0) problems.push(`${key} must be a positive integer (got ${c[key]})`);
  }
  if (c.hiddenSize % c.numHeads !== 0) problems.push(`hiddenSize ${c.hiddenSize} is not a multiple of numHeads ${c.numHeads}`);
  else if ((c.hiddenSize / c.numHeads) % 2 !== 0) problems.push("the head dimension must be even for RoPE");
  if (c.numHeads % c.numKvHeads !== 0) problems.push(`numHeads ${c.numHeads} is not a multiple of numKvHeads ${c.numKvHeads}`);
  if (!(c.rmsNormEps > 0)) problems.push("rmsNormEps must be positive");
  if (!(c.ropeTheta > 0)) problems.push("ropeTheta must be positive");
  if (problems.length > 0) throw new ModelError(`invalid qwen2 config: ${problems.join("; ")}`);
}
