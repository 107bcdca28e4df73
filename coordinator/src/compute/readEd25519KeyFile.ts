import { readFile, stat } from "node:fs/promises";
import { ed25519PublicKeyOf, toEd25519PrivateKey } from "./ed25519Keys.js";
import { ComputeKeyError } from "./errors.js";

export interface ReadEd25519KeyFileReturnType {
  privateKey: Uint8Array;
  /** True when group or others may read the file (worth a warning: the key signs results). */
  looselyPermitted: boolean;
}

/**
 * Reads a worker key file in either format the project writes: the 32-byte Ed25519 private key as
 * hex (0x optional) on one line (`worker --generate-key`), or the JSON `{ kind: "ed25519",
 * publicKey, privateKey }` that `forge register-compute` writes (its publicKey must be the
 * private key's).
 */
export async function readEd25519KeyFile(path: string): Promise<ReadEd25519KeyFileReturnType> {
  let text: string;
  let mode: number;
  try {
    text = await readFile(path, "utf8");
    mode = (await stat(path)).mode;
  } catch (cause) {
    throw new ComputeKeyError(`Cannot read the key file ${path}`, { hint: "Pass --key with the path of the worker's Ed25519 key file", cause });
  }
  const looselyPermitted = (mode & 0o077) !== 0;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return { privateKey: fromJson(trimmed, path), looselyPermitted };
  try {
    return { privateKey: toEd25519PrivateKey(trimmed), looselyPermitted };
  } catch (cause) {
    throw new ComputeKeyError(`The key file ${path} does not hold an Ed25519 private key`, {
      hint: 'Write 64 hex digits (optionally 0x-prefixed) on one line, or pass the JSON file `forge register-compute` wrote ({"kind":"ed25519",...})',
      cause,
    });
  }
}

function fromJson(text: string, path: string): Uint8Array {
  const hint = 'Pass the file `forge register-compute` wrote: {"kind":"ed25519","publicKey":"0x…","privateKey":"0x…"}';
  let key: { kind?: unknown; publicKey?: unknown; privateKey?: unknown };
  try {
    key = JSON.parse(text) as typeof key;
  } catch (cause) {
    throw new ComputeKeyError(`The key file ${path} starts like JSON but is not valid JSON`, { hint, cause });
  }
  if (key?.kind !== "ed25519" || typeof key.privateKey !== "string") throw new ComputeKeyError(`The key file ${path} is not an ed25519 key file`, { hint });
  let privateKey: Uint8Array;
  try {
    privateKey = toEd25519PrivateKey(key.privateKey);
  } catch (cause) {
    throw new ComputeKeyError(`The key file ${path} has a privateKey that is not 32 bytes of hex`, { hint, cause });
  }
  if (key.publicKey !== undefined && String(key.publicKey).toLowerCase() !== ed25519PublicKeyOf(privateKey)) {
    throw new ComputeKeyError(`The key file ${path} names public key ${String(key.publicKey)}, but its private key's public key is ${ed25519PublicKeyOf(privateKey)}`, { hint: "The file was edited or mixed up; use the key file that registered the worker" });
  }
  return privateKey;
}
