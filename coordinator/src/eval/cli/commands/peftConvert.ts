import { createHash } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { convertPeftAdapterToGguf } from "../../peft/convertPeftAdapterToGguf.js";
import { readPeftAdapterDirectory } from "../../peft/readPeftAdapterDirectory.js";
import { CliUsageError } from "../errors.js";
import { parseCommandArgs, required } from "../parseCommandArgs.js";
import { readModelHeader } from "../readModelHeader.js";
import type { CliCommand } from "../types.js";

export const PEFT_CONVERT_USAGE = "usage: eval peft-convert <peft-dir> --base m.gguf --out adapter.gguf";

/** A peft LoRA directory (adapter_config.json + adapter_model.safetensors) → a GGUF adapter checked against the base's shapes. */
export const peftConvertCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { base: { type: "string" }, out: { type: "string" } }, PEFT_CONVERT_USAGE, true);
  if (positionals.length !== 1) throw new CliUsageError(`expected one peft directory, got ${positionals.length}`, PEFT_CONVERT_USAGE);
  const basePath = required(values.base, "--base", PEFT_CONVERT_USAGE);
  const out = required(values.out, "--out", PEFT_CONVERT_USAGE);
  const peft = await readPeftAdapterDirectory(positionals[0]);
  const base = await readModelHeader(basePath);
  const bytes = convertPeftAdapterToGguf({ configJson: peft.configJson, safetensors: peft.safetensors, baseConfig: base.config, baseModelName: base.name });
  await writeFile(`${out}.tmp`, bytes);
  await rename(`${out}.tmp`, out);
  io.out(`${out}: ${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex")}`);
  return 0;
};
