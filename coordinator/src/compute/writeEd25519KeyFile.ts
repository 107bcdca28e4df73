import { open } from "node:fs/promises";
import type { Hex } from "viem";
import { ed25519PublicKeyOf, generateEd25519PrivateKey } from "./ed25519Keys.js";
import { ComputeKeyError } from "./errors.js";

/**
 * Creates a new worker key file (0x-hex private key, mode 0600) and returns its public key, the
 * value to register on-chain. Never overwrites: an existing file is an error, so a registered
 * key cannot be lost by running the command twice.
 */
export async function writeEd25519KeyFile(path: string): Promise<{ publicKey: Hex }> {
  const privateKey = generateEd25519PrivateKey();
  let handle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (cause) {
    const exists = (cause as { code?: string }).code === "EEXIST";
    throw new ComputeKeyError(exists ? `The key file ${path} already exists` : `Cannot create the key file ${path}`, {
      hint: exists ? "Use the existing key (it may be registered on-chain), or choose another path" : "Check that the directory exists and is writable",
      cause,
    });
  }
  try {
    await handle.writeFile(`${privateKey}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { publicKey: ed25519PublicKeyOf(privateKey) };
}
