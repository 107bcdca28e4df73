import { ensureDemoBaseModel } from "../../demo/ensureDemoBaseModel.js";
import { attributionProgress } from "../attributionProgress.js";
import { parseCommandArgs } from "../parseCommandArgs.js";
import type { CliCommand } from "../types.js";

export const DEMO_MODEL_USAGE = "usage: eval demo-model [--cache dir] [--corpus file] [--json]";

/** Builds the demo base model on first use (resumable), then prints its path and how it was made. */
export const demoModelCommand: CliCommand = async (args, io) => {
  const { values } = parseCommandArgs(args, { cache: { type: "string" }, corpus: { type: "string" }, json: { type: "boolean" } }, DEMO_MODEL_USAGE);
  const r = await ensureDemoBaseModel({
    ...(values.cache !== undefined ? { cacheDir: values.cache } : {}),
    ...(values.corpus !== undefined ? { corpusPath: values.corpus } : {}),
    onProgress: attributionProgress(io),
    signal: io.signal,
  });
  if (values.json) {
    io.out(JSON.stringify({ path: r.path, built: r.built, manifest: r.manifest }, null, 2));
    return 0;
  }
  const m = r.manifest;
  const c = m.spec.config;
  io.out(r.path);
  io.out(`${r.built ? "built now" : "cached"}; key ${r.key}`);
  io.out(
    `qwen2: vocab ${m.spec.vocabSize}, hidden ${c.hiddenSize}, ${c.numLayers} layers, ${c.numHeads} heads / ${c.numKvHeads} KV heads, FFN ${c.intermediateSize}, context ${c.contextLength}; weights ${m.spec.baseType}; ${m.gguf.bytes} bytes, sha256 ${m.gguf.sha256}`,
  );
  io.out(
    `pretrained ${m.pretrain.steps} steps on ${m.pretrain.windows} windows of ${m.spec.chunkTokens} tokens: loss ${m.pretrain.firstLoss.toFixed(3)} → ${m.pretrain.finalLoss.toFixed(3)}; ` +
      `${m.spec.baseType} costs ${(m.quantization.nllStored - m.quantization.nllF32).toFixed(4)} nats/token over F32`,
  );
  return 0;
};
