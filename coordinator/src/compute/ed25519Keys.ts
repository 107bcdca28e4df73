import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { ComputeKeyError } from "./errors.js";

/** A 32-byte Ed25519 private key from 0x-hex, bare hex or bytes; a clear error otherwise. */
export function toEd25519PrivateKey(key: Hex | string | Uint8Array): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw new ComputeKeyError(`An Ed25519 private key is 32 bytes, this one is ${key.length}`, { hint: "Pass the 32-byte seed, not an expanded 64-byte key" });
    return key;
  }
  const text = typeof key === "string" ? key.trim() : "";
  const hex = text.startsWith("0x") ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ComputeKeyError("An Ed25519 private key must be 64 hex digits (32 bytes)", { hint: "Write the key as hex, optionally 0x-prefixed, on one line" });
  }
  return hexToBytes(`0x${hex}`);
}

/** The public key (lowercase 0x-hex, 32 bytes) as it is registered on-chain. */
export function ed25519PublicKeyOf(privateKey: Hex | string | Uint8Array): Hex {
  return bytesToHex(ed25519.getPublicKey(toEd25519PrivateKey(privateKey)));
}

/** A fresh random private key (0x-hex). */
export function generateEd25519PrivateKey(): Hex {
  return bytesToHex(ed25519.utils.randomPrivateKey());
}
