import { holdoutSuite, X25519_KEY_LENGTH } from "./holdoutSuite.js";
import { HpkeKeyError } from "./errors.js";

export interface HpkeKeyPair {
  /** 32-byte X25519 public key (what the enclave registers and creators seal to). */
  publicKey: Uint8Array;
  /** 32-byte X25519 private key. Keep it inside the enclave process. */
  privateKey: Uint8Array;
}

export type GenerateHpkeKeyPairReturnType = HpkeKeyPair;

export interface GenerateHpkeKeyPairParameters {
  /**
   * Input keying material for RFC 9180 DeriveKeyPair (at least 32 bytes). Give it to get the same
   * pair on every restart (the enclave derives it from its sealed secret); leave it out for a
   * random pair.
   */
  ikm?: Uint8Array;
}

/** An X25519 key pair for the holdout suite, random or derived from `ikm` (RFC 9180 §7.1.3). */
export async function generateHpkeKeyPair(params: GenerateHpkeKeyPairParameters = {}): Promise<GenerateHpkeKeyPairReturnType> {
  const kem = holdoutSuite().kem;
  if (params.ikm !== undefined && params.ikm.length < X25519_KEY_LENGTH) {
    throw new HpkeKeyError("ikm", `is ${params.ikm.length} bytes; DeriveKeyPair needs at least ${X25519_KEY_LENGTH}`);
  }
  const pair = params.ikm === undefined ? await kem.generateKeyPair() : await kem.deriveKeyPair(params.ikm);
  return {
    publicKey: new Uint8Array(await kem.serializePublicKey(pair.publicKey)),
    privateKey: new Uint8Array(await kem.serializePrivateKey(pair.privateKey)),
  };
}
