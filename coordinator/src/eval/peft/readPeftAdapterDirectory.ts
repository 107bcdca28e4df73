import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PeftError } from "./errors.js";

export interface ReadPeftAdapterDirectoryReturnType {
  configJson: Uint8Array;
  safetensors: Uint8Array;
}

/** Reads `adapter_config.json` and `adapter_model.safetensors` from a directory peft saved with `save_pretrained`. */
export async function readPeftAdapterDirectory(directory: string): Promise<ReadPeftAdapterDirectoryReturnType> {
  const read = async (file: string) => {
    try {
      return new Uint8Array(await readFile(join(directory, file)));
    } catch (err) {
      throw new PeftError(
        `cannot read ${file} in ${directory}: ${(err as Error).message}. Point at the directory peft's save_pretrained wrote ` +
          "(pickled adapter_model.bin files are not read: re-save with safe_serialization=True).",
        { cause: err },
      );
    }
  };
  return { configJson: await read("adapter_config.json"), safetensors: await read("adapter_model.safetensors") };
}
