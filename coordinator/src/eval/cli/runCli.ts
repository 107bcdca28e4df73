import { DatasetError } from "../dataset/DatasetError.js";
import { attributeCommand } from "./commands/attribute.js";
import { demoCommand } from "./commands/demo.js";
import { demoModelCommand } from "./commands/demoModel.js";
import { peftConvertCommand } from "./commands/peftConvert.js";
import { scoreCommand } from "./commands/score.js";
import { trainCommand } from "./commands/train.js";
import { validateCommand } from "./commands/validate.js";
import { CliUsageError } from "./errors.js";
import type { CliCommand, CliIo } from "./types.js";

const COMMANDS: Record<string, { run: CliCommand; summary: string }> = {
  "demo-model": { run: demoModelCommand, summary: "build (first time) and print the cached demo base model" },
  validate: { run: validateCommand, summary: "check a contribution JSONL file: every bad line with its number and reason" },
  score: { run: scoreCommand, summary: "per-example NLL and perplexity of a dataset on a model (+ adapter) on llama.cpp" },
  train: { run: trainCommand, summary: "train a LoRA adapter on a frozen base; prints the adapter hash" },
  attribute: { run: attributeCommand, summary: "marginal contribution of each contribution to holdout perplexity" },
  demo: { run: demoCommand, summary: "the demo scenario on data/demo with the demo base model" },
  "peft-convert": { run: peftConvertCommand, summary: "convert a peft LoRA directory to a GGUF adapter" },
};

export const CLI_USAGE = [
  "usage: eval <command> [options]   (npm run eval -- <command> ...)",
  "",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(13)} ${c.summary}`),
  "",
  "eval <command> --help shows a command's options.",
].join("\n");

/**
 * Runs one command and returns the exit code: 0 success, 1 bad input or failure (a clear
 * message on stderr), 2 a wrong command line, 130 stopped by Ctrl-C (finished work is cached).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(CLI_USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err.write(`error: unknown command "${name}"\n${CLI_USAGE}\n`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    try {
      await command.run(["--help"], io);
    } catch (err) {
      if (err instanceof CliUsageError && err.usage) {
        io.out(err.usage);
        return 0;
      }
    }
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.err.write(`error: ${err.message}\n${err.usage ?? CLI_USAGE}\n`);
      return 2;
    }
    if (io.signal.aborted || (err as Error)?.name?.endsWith("AbortedError")) {
      io.err.write(`\nstopped: ${(err as Error).message}\nFinished trainings and evaluations are cached; run the same command again to resume.\n`);
      return 130;
    }
    if (err instanceof DatasetError) {
      io.err.write(`error: ${err.message}\n`);
      return 1;
    }
    const e = err as Error;
    io.err.write(`error: ${e?.name ?? "Error"}: ${e?.message ?? String(err)}\n`);
    if (e?.cause instanceof Error) io.err.write(`  cause: ${e.cause.message}\n`);
    if (process.env.INGOTFORGE_DEBUG) io.err.write(`${e?.stack}\n`);
    return 1;
  }
}
