import { readFile, stat } from "node:fs/promises";
import { toEd25519PrivateKey } from "./ed25519Keys.js";
import { ComputeKeyError } from "./errors.js";

export interface ReadEd25519KeyFileReturnType {
  privateKey: Uint8Array;
  /** True when group or others may read the file (worth a warning: the key signs results). */
  looselyPermitted: boolean;
}

/** Reads a worker key file: the 32-byte Ed25519 private key as hex (0x optional) on one line. */
export async function readEd25519KeyFile(path: string): Promise<ReadEd25519KeyFileReturnType> {
  let text: string;
  let mode: number;
  try {
    text = await readFile(path, "utf8");
    mode = (await stat(path)).mode;
  } catch (cause) {
    throw new ComputeKeyError(`Cannot read the key file ${path}`, { hint: "Pass --key with the path of the worker's Ed25519 key file", cause });
  }
  try {
    return { privateKey: toEd25519PrivateKey(text.trim()), looselyPermitted: (mode & 0o077) !== 0 };
  } catch (cause) {
    throw new ComputeKeyError(`The key file ${path} does not hold an Ed25519 private key`, { hint: "Write 64 hex digits (optionally 0x-prefixed) on one line", cause });
  }
}
