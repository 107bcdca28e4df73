import { bytesToHex, type Hex, type LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { generateHpkeKeyPair, type HpkeKeyPair } from "../sealing/generateHpkeKeyPair.js";
import { EnclaveInputError } from "./errors.js";

/** Fixed key paths: changing one changes the enclave's identity, so they carry a version. */
export const SIGNER_KEY_PATH = "ingotforge/signer/v1";
export const HPKE_KEY_PATH = "ingotforge/hpke/v1";

export interface DeriveEnclaveKeysParameters {
  /** 32 bytes the enclave holds for its signing key (a secp256k1 scalar). */
  signerSecret: Uint8Array;
  /** At least 32 bytes of keying material for the HPKE key (RFC 9180 DeriveKeyPair). */
  hpkeSecret: Uint8Array;
}

export interface DeriveEnclaveKeysReturnType {
  account: LocalAccount;
  hpke: HpkeKeyPair;
  hpkePublicKey: Hex;
}

/** The enclave's two key pairs from its two secrets; the same secrets always give the same keys. */
export async function deriveEnclaveKeys(params: DeriveEnclaveKeysParameters): Promise<DeriveEnclaveKeysReturnType> {
  if (params.signerSecret.length !== 32) throw new EnclaveInputError("signerSecret", `is ${params.signerSecret.length} bytes, not 32`);
  if (params.hpkeSecret.length < 32) throw new EnclaveInputError("hpkeSecret", `is ${params.hpkeSecret.length} bytes, fewer than 32`);
  let account: LocalAccount;
  try {
    account = privateKeyToAccount(bytesToHex(params.signerSecret));
  } catch (cause) {
    // Probability ~2^-128 for a hash output; reported rather than silently re-derived.
    throw new EnclaveInputError("signerSecret", "is not a valid secp256k1 private key", { cause });
  }
  const hpke = await generateHpkeKeyPair({ ikm: params.hpkeSecret });
  return { account, hpke, hpkePublicKey: bytesToHex(hpke.publicKey) };
}
