import { mkdir, open, readFile } from "node:fs/promises";
import path from "node:path";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, hexToBytes, isHex, size, type Hex } from "viem";
import { CliError } from "./errors.js";

/** On disk (mode 0600): the worker's Ed25519 key for off-chain job messages. */
export interface ComputeKeyFile {
  kind: "ed25519";
  publicKey: Hex;
  privateKey: Hex;
}

export type LoadOrCreateComputeKeyReturnType = { publicKey: Hex; privateKey: Hex; file: string; created: boolean };

/**
 * The Ed25519 key in `file`, or a new one written there when the file does not exist. An
 * existing file is never overwritten: the key registered on-chain must stay the one the worker
 * signs with.
 */
export async function loadOrCreateComputeKey(file: string): Promise<LoadOrCreateComputeKeyReturnType> {
  let text: string | undefined;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as { code?: string }).code !== "ENOENT") throw new CliError(`Cannot read the key file ${file}. Check its permissions.`, { cause });
  }
  if (text !== undefined) return { ...parseKeyFile(text, file), file, created: false };

  const secret = ed25519.utils.randomPrivateKey();
  const key: ComputeKeyFile = { kind: "ed25519", publicKey: bytesToHex(ed25519.getPublicKey(secret)), privateKey: bytesToHex(secret) };
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // "wx": fail rather than replace a key another process wrote in the meantime.
    const handle = await open(file, "wx", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(key, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new CliError(`Cannot write the new key file ${file}. Check that its folder is writable, or pass --key-file <path>.`, { cause });
  }
  return { publicKey: key.publicKey, privateKey: key.privateKey, file, created: true };
}

function parseKeyFile(text: string, file: string): { publicKey: Hex; privateKey: Hex } {
  let key: Partial<ComputeKeyFile>;
  try {
    key = JSON.parse(text) as Partial<ComputeKeyFile>;
  } catch (cause) {
    throw new CliError(`The key file ${file} is not JSON. Restore it, or pass --key-file <new path> to create a new key.`, { cause });
  }
  const { kind, publicKey, privateKey } = key;
  if (kind !== "ed25519" || !isHex(privateKey, { strict: true }) || size(privateKey) !== 32 || !isHex(publicKey, { strict: true })) {
    throw new CliError(`The key file ${file} is not an Ed25519 key file ({"kind":"ed25519","publicKey":"0x..","privateKey":"0x.."}).`);
  }
  const derived = bytesToHex(ed25519.getPublicKey(hexToBytes(privateKey)));
  if (derived.toLowerCase() !== publicKey.toLowerCase()) throw new CliError(`The key file ${file} is corrupt: its public key does not match its private key.`);
  return { publicKey: derived, privateKey };
}
