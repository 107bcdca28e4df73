import { readFile } from "node:fs/promises";
import { CliError } from "./errors.js";

/** A file named on the command line, or a CliError that names it and the flag. */
export async function readInputFile(file: string, flag: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "is not readable" : "cannot be read";
    throw new CliError(`${flag} ${file} ${why}. Check the path.`, { cause });
  }
}
