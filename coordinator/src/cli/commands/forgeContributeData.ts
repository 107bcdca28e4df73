import type { Address } from "viem";
import { contributeData } from "../../chain/contributeData.js";
import { DatasetError } from "../../eval/dataset/DatasetError.js";
import { parseDatasetJsonl } from "../../eval/dataset/parseDatasetJsonl.js";
import { optionalString, parseAddressOption, requireOption } from "../parseOption.js";
import { readInputFile } from "../readInputFile.js";
import { defineCommand } from "../types.js";

export interface ForgeContributeDataOptions {
  forge: Address;
  file: string;
  license: string;
  description?: string;
}

export const forgeContributeData = defineCommand<ForgeContributeDataOptions>({
  group: "forge",
  name: "contribute-data",
  summary: "validate a JSONL file, store it under its 0G root, record it on-chain",
  usage: [
    "  --forge <address>          the Forge (required)",
    "  --file <data.jsonl>        one {\"id\",\"prompt\",\"response\"} object per line (required; every bad line is reported)",
    "  --license <text>           license of the data (default: unspecified)",
    "  --description <text>       a line about the data",
  ].join("\n"),
  options: { forge: { type: "string" }, file: { type: "string" }, license: { type: "string" }, description: { type: "string" } },
  parse: (values) => ({
    forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge"),
    file: requireOption(values.file, "--file"),
    license: optionalString(values.license) ?? "unspecified",
    description: optionalString(values.description),
  }),
  async run(env, options) {
    const bytes = await readInputFile(options.file, "--file");
    const { examples, errors } = parseDatasetJsonl(bytes);
    if (errors.length > 0) {
      // Every refused line, not only the first few, so the contributor fixes the file in one pass.
      const error = new DatasetError({ errors, source: options.file });
      const all = errors.map((e) => (e.line === 0 ? `  file: ${e.reason}` : `  line ${e.line}: ${e.reason}`)).join("\n");
      error.message = `${errors.length} invalid line${errors.length === 1 ? "" : "s"} in ${options.file}; nothing was stored or sent:\n${all}\nFix these lines (format: coordinator/src/eval/dataset/README.md) and run the command again.`;
      throw error;
    }
    const ctx = await env.protocol();
    const { root, size } = await (await env.store()).put(bytes);
    const metadata = { license: options.license, ...(options.description ? { description: options.description } : {}), examples: examples.length, format: "ingotforge-jsonl/v1" };
    const metadataURI = "data:application/json," + encodeURIComponent(JSON.stringify(metadata));
    const { dataId, hash } = await contributeData(ctx, { forge: options.forge, root, sizeBytes: BigInt(size), exampleCount: examples.length, metadataURI });
    return {
      text: [
        `Contributed data #${dataId} to ${options.forge}`,
        `  root          ${root}`,
        `  size          ${size} bytes, ${examples.length} examples`,
        `  license       ${options.license}`,
        `  transaction   ${hash}`,
      ].join("\n"),
      json: { forge: options.forge, dataId, root, sizeBytes: size, examples: examples.length, metadataURI, hash },
    };
  },
});
