import { readFile } from "node:fs/promises";
import { DatasetError } from "../dataset/DatasetError.js";
import { parseDatasetJsonlStrict } from "../dataset/parseDatasetJsonlStrict.js";
import type { DatasetExample } from "../dataset/types.js";
import { DemoDataError } from "./errors.js";

/** Every example of a JSONL file, or a DatasetError naming each bad line (a file is used whole or not at all). */
export async function loadDatasetFile(path: string): Promise<DatasetExample[]> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new DemoDataError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    return parseDatasetJsonlStrict(bytes, { source: path });
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DemoDataError(`cannot parse ${path}`, { cause: err });
  }
}
