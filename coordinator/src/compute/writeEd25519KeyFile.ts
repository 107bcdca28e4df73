import { open } from "node:fs/promises";
import type { Hex } from "viem";
import { ed25519PublicKeyOf, generateEd25519PrivateKey } from "./ed25519Keys.js";
import { ComputeKeyError } from "./errors.js";

/**
 * Creates a new worker key file and returns its public key, the value to register on-chain. The
 * file (mode 0600) is the one format every command reads and writes, the JSON
 * `{ "kind": "ed25519", "publicKey": "0x…", "privateKey": "0x…" }` that `forge register-compute`
 * creates too, so either command's key works with the other and with `coordinator run
 * --worker-key`. Never overwrites: an existing file is an error, so a registered key cannot be
 * lost by running the command twice.
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
    await handle.writeFile(`${JSON.stringify({ kind: "ed25519", publicKey: ed25519PublicKeyOf(privateKey), privateKey }, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { publicKey: ed25519PublicKeyOf(privateKey) };
}
