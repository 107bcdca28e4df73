import type { Qwen2Config } from "../model/types.js";
import { TrainInputError } from "./errors.js";
import type { OptimizerHyperParameters, ScoredSequence } from "./types.js";

/**
 * Rejects sequences the trainer cannot use, naming the sequence (id and index) and the reason:
 * token ids outside the vocabulary, nothing to train on (scoreFrom must be in 1 … length−1), or
 * longer than the model's context (training never windows: split long examples first).
 */
export function validateSequences(sequences: readonly ScoredSequence[], config: Qwen2Config): number {
  if (sequences.length === 0) {
    throw new TrainInputError("No sequences to train on", { hint: "Pass at least one tokenized sequence" });
  }
  let maxLen = 0;
  sequences.forEach((s, idx) => {
    const where = `Sequence ${idx} (id "${s.id}")`;
    const n = s.tokens.length;
    if (n < 2) throw new TrainInputError(`${where} has ${n} token(s)`, { hint: "A trainable sequence needs a prompt token and at least one response token" });
    if (n > config.contextLength) {
      throw new TrainInputError(`${where} has ${n} tokens, more than the model's context of ${config.contextLength}`, {
        hint: "Drop or split the example, or train a model with a longer context",
      });
    }
    if (!Number.isInteger(s.scoreFrom) || s.scoreFrom < 1 || s.scoreFrom > n - 1) {
      throw new TrainInputError(`${where} has scoreFrom ${s.scoreFrom}, outside 1 … ${n - 1}`, {
        hint: "scoreFrom is the index of the first response token; at least one token must come before it and one from it on",
      });
    }
    for (let i = 0; i < n; i++) {
      const t = s.tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= config.vocabSize) {
        throw new TrainInputError(`${where} has token ${t} at position ${i}, outside the vocabulary of ${config.vocabSize}`, {
          hint: "Tokenize with the model's own tokenizer",
        });
      }
    }
    if (n > maxLen) maxLen = n;
  });
  return maxLen;
}

/** Rejects optimizer settings that would silently train nothing or diverge by construction. */
export function validateOptimizerHyper(h: OptimizerHyperParameters): void {
  const bad = (what: string) => new TrainInputError(`Bad hyper-parameter: ${what}`, { hint: "Fix the training configuration" });
  if (!(h.learningRate > 0) || !Number.isFinite(h.learningRate)) throw bad(`learningRate must be a finite number > 0, got ${h.learningRate}`);
  if (!(h.weightDecay >= 0) || !Number.isFinite(h.weightDecay)) throw bad(`weightDecay must be ≥ 0, got ${h.weightDecay}`);
  if (!Array.isArray(h.betas) || h.betas.length !== 2 || h.betas.some((b) => !(b >= 0 && b < 1))) {
    throw bad(`betas must be two numbers in [0, 1), got ${JSON.stringify(h.betas)}`);
  }
  if (!(h.eps > 0)) throw bad(`eps must be > 0, got ${h.eps}`);
  if (!Number.isInteger(h.batchSize) || h.batchSize < 1) throw bad(`batchSize must be a positive integer, got ${h.batchSize}`);
  const hasSteps = h.steps !== undefined;
  const hasEpochs = h.epochs !== undefined;
  if (hasSteps === hasEpochs) throw bad("give exactly one of steps and epochs");
  if (hasSteps && (!Number.isInteger(h.steps) || h.steps! < 1)) throw bad(`steps must be a positive integer, got ${h.steps}`);
  if (hasEpochs && (!Number.isInteger(h.epochs) || h.epochs! < 1)) throw bad(`epochs must be a positive integer, got ${h.epochs}`);
  if (h.warmupSteps !== undefined && (!Number.isInteger(h.warmupSteps) || h.warmupSteps < 0)) {
    throw bad(`warmupSteps must be a non-negative integer, got ${h.warmupSteps}`);
  }
  if (h.lrSchedule !== undefined && h.lrSchedule !== "constant" && h.lrSchedule !== "linear") {
    throw bad(`lrSchedule must be "constant" or "linear", got ${JSON.stringify(h.lrSchedule)}`);
  }
  if (h.maxGradNorm !== undefined && !(h.maxGradNorm > 0)) throw bad(`maxGradNorm must be > 0, got ${h.maxGradNorm}`);
}
