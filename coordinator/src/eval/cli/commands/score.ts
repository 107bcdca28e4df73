import { tokenizeExample } from "../../dataset/tokenizeExample.js";
import { createScoringEngine } from "../../engine/createScoringEngine.js";
import { perplexity } from "../../engine/perplexity.js";
import { loadDatasetFile } from "../../demo/loadDatasetFile.js";
import { createProgress } from "../../../util/progress.js";
import { CliUsageError } from "../errors.js";
import { parseCommandArgs, required } from "../parseCommandArgs.js";
import { readModelHeader } from "../readModelHeader.js";
import type { CliCommand } from "../types.js";
import { resolveCliThreads } from "../resolveCliThreads.js";

export const SCORE_USAGE = "usage: eval score --model m.gguf --data d.jsonl [--adapter a.gguf] [--mode exact|fast] [--threads N] [--json]";

/** Per-example NLL of the response tokens and the token-weighted perplexity, on llama.cpp. */
export const scoreCommand: CliCommand = async (args, io) => {
  const { values } = parseCommandArgs(
    args,
    { model: { type: "string" }, data: { type: "string" }, adapter: { type: "string" }, mode: { type: "string" }, threads: { type: "string" }, json: { type: "boolean" } },
    SCORE_USAGE,
  );
  const modelPath = required(values.model, "--model", SCORE_USAGE);
  const dataPath = required(values.data, "--data", SCORE_USAGE);
  const mode = values.mode ?? "exact";
  if (mode !== "exact" && mode !== "fast") throw new CliUsageError(`--mode must be exact or fast, got "${mode}"`, SCORE_USAGE);
  const threads = resolveCliThreads(values.threads, SCORE_USAGE, io);

  const examples = await loadDatasetFile(dataPath);
  const { tokenizer } = await readModelHeader(modelPath);
  const sequences = examples.map((e) => tokenizeExample(tokenizer, e));
  const engine = await createScoringEngine({ modelPath, mode, threads });
  try {
    const bar = createProgress({ label: "score", total: sequences.reduce((a, s) => a + s.tokens.length, 0), unit: "tokens", stream: io.err });
    const scores = await engine.scoreSequences(sequences, {
      ...(values.adapter ? { adapterPath: values.adapter } : {}),
      onProgress: (p) => bar.update(p.tokensDone),
      signal: io.signal,
    });
    bar.finish();
    const ppl = perplexity(scores);
    const tokens = scores.reduce((a, s) => a + s.tokens, 0);
    const nll = scores.reduce((a, s) => a + s.nll, 0);
    if (values.json) {
      io.out(JSON.stringify({ model: modelPath, adapter: values.adapter ?? null, mode, perplexity: ppl, nll, tokens, examples: scores.map(({ id, nll, tokens }) => ({ id, nll, tokens, perplexity: Math.exp(nll / tokens) })) }, null, 2));
    } else {
      const w = Math.max(2, ...scores.map((s) => s.id.length));
      io.out(`${"id".padEnd(w)}  ${"tokens".padStart(6)}  ${"NLL".padStart(10)}  ${"NLL/token".padStart(9)}`);
      for (const s of scores) io.out(`${s.id.padEnd(w)}  ${String(s.tokens).padStart(6)}  ${s.nll.toFixed(4).padStart(10)}  ${(s.nll / s.tokens).toFixed(4).padStart(9)}`);
      io.out(`${scores.length} examples, ${tokens} response tokens: NLL ${nll.toFixed(4)}, ln PPL ${(nll / tokens).toFixed(6)}, perplexity ${ppl.toFixed(4)} (${mode} mode${values.adapter ? `, adapter ${values.adapter}` : ", base model"})`);
    }
    return 0;
  } finally {
    await engine.dispose();
  }
};
