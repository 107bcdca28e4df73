import { hexToBytes, type Address } from "viem";
import { contributeData } from "../../chain/contributeData.js";
import { sealContribution } from "../../sealing/sealContribution.js";
import { computeContentRoot } from "../../storage/computeContentRoot.js";
import { resolveForgeSealingKey } from "../resolveForgeSealingKey.js";
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
  /** Seal to this registered enclave signer's key (when the Forge accepts several). */
  enclave?: Address;
  /** Validate and seal, print what would be stored and sent, store and send nothing. */
  dryRun: boolean;
}

export const forgeContributeData = defineCommand<ForgeContributeDataOptions>({
  group: "forge",
  name: "contribute-data",
  summary: "validate a JSONL file, seal it to the Forge's enclave (bound to you), store the envelope under its 0G root, record it on-chain",
  usage: [
    "  --forge <address>          the Forge (required)",
    "  --file <data.jsonl>        one {\"id\",\"prompt\",\"response\"} object per line (required; every bad line is reported)",
    "  --license <text>           license of the data (default: unspecified)",
    "  --description <text>       a line about the data",
    "  --enclave <signer>         seal to this registered enclave's HPKE key (needed only when the Forge accepts several)",
    "  --dry-run                  validate and seal, then print the envelope's root, size and binding; store and send nothing",
    "",
    "  The file is always sealed (HPKE, RFC 9180) to the Forge's enclave key and bound to this chain,",
    "  this Forge and the sending address: only the enclave reads it, after the window closes, and a",
    "  copy sent by anyone else is excluded. Plaintext contributions are excluded by the coordinator.",
  ].join("\n"),
  options: {
    forge: { type: "string" },
    file: { type: "string" },
    license: { type: "string" },
    description: { type: "string" },
    enclave: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  parse: (values) => ({
    forge: parseAddressOption(requireOption(values.forge, "--forge"), "--forge"),
    file: requireOption(values.file, "--file"),
    license: optionalString(values.license) ?? "unspecified",
    description: optionalString(values.description),
    enclave: optionalString(values.enclave) ? parseAddressOption(String(values.enclave), "--enclave") : undefined,
    dryRun: values["dry-run"] === true,
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
    const sender = ctx.walletClient.account.address;
    const key = await resolveForgeSealingKey(ctx, options.forge, options.enclave);
    if (key.note) env.note(key.note);
    const binding = { chainId: ctx.chainId, forge: options.forge, contributor: sender };
    const sealed = (await sealContribution({ plaintext: bytes, recipientPublicKey: hexToBytes(key.hpkePublicKey), binding })).bytes;
    bytes.fill(0);
    const sealedLine = `  sealed        to enclave ${key.enclave} (HPKE ${key.hpkePublicKey}); bound to chain ${ctx.chainId}, Forge ${options.forge}, sender ${sender}`;
    if (options.dryRun) {
      const root = await computeContentRoot(sealed);
      return {
        text: [`Dry run: nothing stored or sent`, `  root          ${root}`, `  size          ${sealed.length} bytes, ${examples.length} examples`, sealedLine].join("\n"),
        json: { forge: options.forge, dryRun: true, root, sizeBytes: sealed.length, examples: examples.length, sealed: true, enclave: key.enclave, hpkePublicKey: key.hpkePublicKey, binding },
      };
    }
    const { root, size } = await (await env.store()).put(sealed);
    const metadata = { license: options.license, ...(options.description ? { description: options.description } : {}), examples: examples.length, format: "ingotforge-jsonl/v1", sealed: "ingotforge-sealed-contribution/v1" };
    const metadataURI = "data:application/json," + encodeURIComponent(JSON.stringify(metadata));
    const { dataId, hash } = await contributeData(ctx, { forge: options.forge, root, sizeBytes: BigInt(size), exampleCount: examples.length, metadataURI });
    return {
      text: [
        `Contributed data #${dataId} to ${options.forge}`,
        `  root          ${root}`,
        `  size          ${size} bytes, ${examples.length} examples`,
        sealedLine,
        `  license       ${options.license}`,
        `  transaction   ${hash}`,
      ].join("\n"),
      json: { forge: options.forge, dataId, root, sizeBytes: size, examples: examples.length, metadataURI, hash, sealed: true, enclave: key.enclave, hpkePublicKey: key.hpkePublicKey, binding },
    };
  },
});
