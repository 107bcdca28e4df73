import { createRandomModel } from "../../../coordinator/src/eval/model/createRandomModel.js";
import type { BpeTokenizerSpec, Qwen2Model } from "../../../coordinator/src/eval/model/types.js";
import type { LoraHyperParameters, ScoredSequence } from "../../../coordinator/src/eval/train/types.js";
import { createPrng } from "../../../coordinator/src/util/prng.js";

export const FORGE = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;

/** A vocabulary whose last three tokens are Qwen2's specials, so the model round-trips through GGUF. */
function tokenizer(vocab: number): BpeTokenizerSpec {
  const tokens = Array.from({ length: vocab - 3 }, (_, i) => `t${i}`);
  tokens.push("<|endoftext|>", "<|im_start|>", "<|im_end|>");
  return { tokens, merges: [], special: { endOfText: vocab - 3, imStart: vocab - 2, imEnd: vocab - 1 }, pre: "qwen2" };
}

/** A tiny random qwen2 base (trains a job in milliseconds). */
export function tinyBase(seed = "compute"): Qwen2Model {
  return createRandomModel({
    seed,
    name: `compute-fixture-${seed}`,
    tensorType: "F32",
    tokenizer: tokenizer(40),
    config: {
      vocabSize: 40,
      hiddenSize: 16,
      numLayers: 1,
      intermediateSize: 24,
      numHeads: 2,
      numKvHeads: 1,
      contextLength: 24,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      tiedEmbeddings: false,
    },
  });
}

/** `count` seeded example sequences over the first 37 tokens, with fake content hashes as ids. */
export function exampleSequences(seed: string, count: number): { hashes: string[]; sequences: ScoredSequence[] } {
  const prng = createPrng(`compute-examples/${seed}`);
  const sequences = Array.from({ length: count }, (_, i) => {
    const len = 8 + prng.nextInt(10);
    const tokens = Array.from({ length: len }, () => prng.nextInt(37));
    const hash = `0x${(i + 1).toString(16).padStart(8, "0")}${seed.length.toString(16).padStart(56, "0")}`;
    return { id: hash, tokens, scoreFrom: 3 };
  });
  return { hashes: sequences.map((s) => s.id), sequences };
}

export function hyper(seed: string | number = 7): LoraHyperParameters {
  return {
    rank: 2,
    alpha: 4,
    targets: ["attn_q", "attn_v", "ffn_down"],
    learningRate: 1e-2,
    weightDecay: 0,
    betas: [0.9, 0.999],
    eps: 1e-8,
    batchSize: 2,
    steps: 3,
    seed,
  };
}
