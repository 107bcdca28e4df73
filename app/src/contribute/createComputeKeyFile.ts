import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, type Address, type Hex } from "viem";

/**
 * A worker's Ed25519 key as the CLI writes it (`forge register-compute` →
 * `.ingotforge/keys/<account>.ed25519.json`, coordinator/src/cli/loadOrCreateComputeKey.ts), so
 * `npm run worker -- --key <file>` reads the file saved from the page.
 */
export interface ComputeKeyFile {
  kind: "ed25519";
  publicKey: Hex;
  privateKey: Hex;
  /** `<account, lowercase>.ed25519.json`, the CLI's name for the account's key file. */
  fileName: string;
  /** The file's text: the JSON the CLI writes, two-space indented, with a final newline. */
  text: string;
}

/**
 * A new worker key made in the browser (`secret`: 32 random bytes by default, from the browser's
 * CSPRNG through @noble/curves) and its key file for `account`. The key stays in the page's memory
 * and in the file the person saves; the page sends only the public key and the signatures.
 */
export function createComputeKeyFile(account: Address, secret: Uint8Array = ed25519.utils.randomPrivateKey()): ComputeKeyFile {
  const publicKey = bytesToHex(ed25519.getPublicKey(secret));
  const privateKey = bytesToHex(secret);
  const text = `${JSON.stringify({ kind: "ed25519", publicKey, privateKey }, null, 2)}\n`;
  return { kind: "ed25519", publicKey, privateKey, fileName: `${account.toLowerCase()}.ed25519.json`, text };
}
