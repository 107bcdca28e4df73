import { readFile } from "node:fs/promises";
import { parseDatasetJsonl } from "../../dataset/parseDatasetJsonl.js";
import { CliUsageError } from "../errors.js";
import { parseCommandArgs } from "../parseCommandArgs.js";
import type { CliCommand } from "../types.js";

export const VALIDATE_USAGE = "usage: eval validate <file.jsonl> [--json]";

/** Every bad line with its number and reason; exit 1 if any, 0 when the whole file is usable. */
export const validateCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { json: { type: "boolean" } }, VALIDATE_USAGE, true);
  if (positionals.length !== 1) throw new CliUsageError(`expected one file, got ${positionals.length}`, VALIDATE_USAGE);
  const path = positionals[0];
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    io.err.write(`error: cannot read ${path}: ${(err as Error).message}\n`);
    return 1;
  }
  const { examples, errors } = parseDatasetJsonl(bytes);
  if (values.json) io.out(JSON.stringify({ file: path, examples: examples.length, errors }, null, 2));
  else {
    for (const e of errors) io.out(`${path}:${e.line}: ${e.code}: ${e.reason}`);
    io.out(errors.length === 0
      ? `${path}: ${examples.length} examples, all valid`
      : `${path}: ${errors.length} invalid line${errors.length === 1 ? "" : "s"}, ${examples.length} valid examples. Fix the lines above (format: coordinator/src/eval/dataset/README.md).`);
  }
  return errors.length === 0 ? 0 : 1;
};
