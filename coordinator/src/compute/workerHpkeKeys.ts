import { ed25519 } from "@noble/curves/ed25519";
import { hexToBytes, type Hex } from "viem";
import { ComputeKeyError } from "./errors.js";
import { toEd25519PrivateKey } from "./ed25519Keys.js";

/**
 * A worker's X25519 (HPKE) public key, from its registered Ed25519 public key (the birational map
 * of RFC 7748 §4.1, `ed25519.utils.toMontgomery`). Job data sealed to it opens only with the
 * worker's Ed25519 private key, so a worker needs no second key and no second registration.
 */
export function workerHpkePublicKey(ed25519PublicKey: Hex): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(ed25519PublicKey);
  } catch (cause) {
    throw new ComputeKeyError(`The worker key ${ed25519PublicKey} is not hex`, { hint: "Pass the 32-byte Ed25519 public key registered on-chain", cause });
  }
  if (bytes.length !== 32) throw new ComputeKeyError(`The worker key is ${bytes.length} bytes, not 32`, { hint: "Pass the 32-byte Ed25519 public key registered on-chain" });
  try {
    return ed25519.utils.toMontgomery(bytes);
  } catch (cause) {
    throw new ComputeKeyError(`The worker key ${ed25519PublicKey} is not a point of Ed25519`, { hint: "Register a valid Ed25519 public key", cause });
  }
}

/** The X25519 private key matching `workerHpkePublicKey(ed25519PublicKeyOf(key))` (`toMontgomerySecret`). */
export function workerHpkePrivateKey(ed25519PrivateKey: Hex | string | Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(toEd25519PrivateKey(ed25519PrivateKey));
}
