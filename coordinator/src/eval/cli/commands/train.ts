import { createHash } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { tokenizeExample } from "../../dataset/tokenizeExample.js";
import { DEMO_LORA_HYPER } from "../../demo/demoLoraHyper.js";
import { DemoError } from "../../demo/errors.js";
import { loadDatasetFile } from "../../demo/loadDatasetFile.js";
import { ggufToModel } from "../../model/ggufToModel.js";
import { loraAdapterToGguf } from "../../model/loraAdapterToGguf.js";
import { createTokenizer } from "../../tokenizer/createTokenizer.js";
import { TrainAbortedError, TrainResumeError } from "../../train/errors.js";
import { hashAdapter } from "../../train/hashAdapter.js";
import { LORA_TARGET_KINDS, type LoraTargetKind } from "../../train/network.js";
import { deserializeTrainState, serializeTrainState } from "../../train/serializeTrainState.js";
import { trainLoraAsync } from "../../train/trainLoraAsync.js";
import type { LoraHyperParameters, TrainLoraReturnType, TrainState } from "../../train/types.js";
import { createProgress } from "../../../util/progress.js";
import { CliUsageError } from "../errors.js";
import { numberOption, parseCommandArgs, required } from "../parseCommandArgs.js";
import type { CliCommand } from "../types.js";

export const TRAIN_USAGE =
  "usage: eval train --model m.gguf --data d.jsonl --out adapter.gguf [--seed 1] [--steps N | --epochs N] [--rank 8] [--alpha 16] " +
  "[--lr 4e-3] [--batch 4] [--weight-decay 0] [--targets attn_q,attn_v,...|all] [--json]";

/**
 * A LoRA adapter on the frozen base (deterministic: same inputs, same bytes), written as GGUF.
 * Ctrl-C saves the optimizer state next to --out; running the same command again resumes it.
 */
export const trainCommand: CliCommand = async (args, io) => {
  const { values } = parseCommandArgs(
    args,
    {
      model: { type: "string" }, data: { type: "string" }, out: { type: "string" }, seed: { type: "string" },
      steps: { type: "string" }, epochs: { type: "string" }, rank: { type: "string" }, alpha: { type: "string" },
      lr: { type: "string" }, batch: { type: "string" }, "weight-decay": { type: "string" }, targets: { type: "string" }, json: { type: "boolean" },
    },
    TRAIN_USAGE,
  );
  const modelPath = required(values.model, "--model", TRAIN_USAGE);
  const dataPath = required(values.data, "--data", TRAIN_USAGE);
  const out = required(values.out, "--out", TRAIN_USAGE);
  const num = (flag: string, v: string | undefined, integer = false, min = 0) => numberOption(v, flag, TRAIN_USAGE, { integer, min });
  const steps = num("--steps", values.steps, true, 1);
  const epochs = num("--epochs", values.epochs, true, 1);
  if (steps !== undefined && epochs !== undefined) throw new CliUsageError("give --steps or --epochs, not both", TRAIN_USAGE);
  const rank = num("--rank", values.rank, true, 1) ?? DEMO_LORA_HYPER.rank;
  const targets = parseTargets(values.targets) ?? DEMO_LORA_HYPER.targets;
  const { steps: _s, epochs: _e, ...rest } = DEMO_LORA_HYPER;
  const hyper: LoraHyperParameters = {
    ...rest,
    ...(epochs !== undefined ? { epochs } : { steps: steps ?? DEMO_LORA_HYPER.steps }),
    rank,
    alpha: num("--alpha", values.alpha) ?? (values.rank !== undefined ? 2 * rank : DEMO_LORA_HYPER.alpha),
    learningRate: num("--lr", values.lr) ?? DEMO_LORA_HYPER.learningRate,
    batchSize: num("--batch", values.batch, true, 1) ?? DEMO_LORA_HYPER.batchSize,
    weightDecay: num("--weight-decay", values["weight-decay"]) ?? DEMO_LORA_HYPER.weightDecay,
    targets,
    seed: values.seed ?? 1,
  };

  const examples = await loadDatasetFile(dataPath);
  let modelBytes: Uint8Array;
  try {
    modelBytes = new Uint8Array(await readFile(modelPath));
  } catch (cause) {
    throw new DemoError(`cannot read the base model ${modelPath}`, { cause });
  }
  const model = ggufToModel(modelBytes);
  const tokenizer = createTokenizer(model.tokenizer);
  const sequences = examples.map((e) => tokenizeExample(tokenizer, e));
  if (targets.includes("output") && model.config.tiedEmbeddings) {
    throw new CliUsageError("this base ties its output layer to the embeddings, so it has no output.weight for LoRA; drop output from --targets", TRAIN_USAGE);
  }

  const statePath = `${out}.train-state`;
  let resumeFrom: TrainState | undefined;
  const saved = await readFile(statePath).catch(() => undefined);
  if (saved) {
    try {
      resumeFrom = deserializeTrainState(new Uint8Array(saved));
      io.err.write(`resuming from step ${resumeFrom.step} (${statePath})\n`);
    } catch {
      resumeFrom = undefined;
    }
  }
  const bar = createProgress({ label: "train", total: hyper.steps, unit: "steps", stream: io.err, ...(resumeFrom ? { initial: resumeFrom.step } : {}) });
  const run = (from?: TrainState) =>
    trainLoraAsync({
      model, sequences, hyper, signal: io.signal,
      ...(from ? { resumeFrom: from } : {}),
      onProgress: (p) => {
        bar.setTotal(p.totalSteps);
        bar.update(p.step);
      },
    });
  let result: TrainLoraReturnType;
  try {
    try {
      result = await run(resumeFrom);
    } catch (err) {
      if (!(err instanceof TrainResumeError)) throw err;
      io.err.write(`the saved state belongs to other inputs; training from scratch\n`);
      result = await run();
    }
  } catch (err) {
    if (err instanceof TrainAbortedError) {
      await writeFile(statePath, serializeTrainState(err.state as TrainState));
      io.err.write(`\nstopped after step ${err.step}; state saved to ${statePath}: run the same command again to resume\n`);
      return 130;
    }
    throw err;
  }
  bar.finish();
  const bytes = loraAdapterToGguf(result.adapter, { baseModelName: model.name });
  await writeFile(`${out}.tmp`, bytes);
  await rename(`${out}.tmp`, out);
  await rm(statePath, { force: true });
  const adapterHash = hashAdapter(result.adapter);
  const fileSha256 = createHash("sha256").update(bytes).digest("hex");
  const m = result.metrics;
  if (values.json) {
    io.out(JSON.stringify({ out, adapterHash, fileSha256, hyper, steps: m.steps, tokens: m.tokens, inputTokens: m.inputTokens, finalLoss: m.finalLoss, lossPerStep: m.lossPerStep, tokensPerSecond: m.tokensPerSecond }, null, 2));
  } else {
    io.out(`adapter ${out}`);
    io.out(`adapter hash ${adapterHash}`);
    io.out(`file sha256  ${fileSha256}`);
    io.out(`${m.steps} steps on ${sequences.length} examples (${m.tokens} response tokens trained), loss ${m.lossPerStep[0]?.toFixed(4)} → ${m.finalLoss.toFixed(4)}, ${m.tokensPerSecond.toFixed(0)} tokens/s`);
  }
  return 0;
};

function parseTargets(text: string | undefined): LoraTargetKind[] | undefined {
  if (text === undefined) return undefined;
  if (text === "all") return [...LORA_TARGET_KINDS];
  const list = text.split(",").map((t) => t.trim()).filter(Boolean);
  const bad = list.filter((t) => !(LORA_TARGET_KINDS as readonly string[]).includes(t));
  if (list.length === 0 || bad.length > 0) {
    throw new CliUsageError(`unknown --targets ${bad.join(", ") || "(empty)"}; choose from ${LORA_TARGET_KINDS.join(", ")} or all`, TRAIN_USAGE);
  }
  return list as LoraTargetKind[];
}
