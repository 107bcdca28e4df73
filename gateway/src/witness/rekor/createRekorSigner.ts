import { createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";
import type { Signer } from "@sigstore/sign";
import { WitnessInputError } from "../errors.js";

export interface RekorSigner extends Signer {
  /** The key Rekor entries name (PEM SPKI): publish it with the gateway's other keys. */
  publicKeyPem: string;
  /** Hex SHA-256 of the public key's DER: the bundles' key hint. */
  keyHint: string;
}

/**
 * The @sigstore/sign `Signer` the gateway signs its batch roots with for Rekor: an ECDSA P-256
 * key of its own (PEM, PKCS#8 or SEC1), the key type Rekor verifies `hashedrekord` entries with.
 * Not the proof key (Ed25519, possibly in an enclave): a Rekor entry only says this key vouched
 * for the root at that time; the root itself ties it to the proofs.
 *
 * @throws WitnessInputError when the key is not a P-256 private key.
 */
export function createRekorSigner(privateKeyPem: string): RekorSigner {
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new WitnessInputError("witness.rekor.signerKeyFile", "(key)", `not a PEM private key (${(error as Error).message})`, "make one with: openssl ecparam -name prime256v1 -genkey -noout -out rekor-signer.pem");
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new WitnessInputError("witness.rekor.signerKeyFile", key.asymmetricKeyType, "not an ECDSA P-256 key", "make one with: openssl ecparam -name prime256v1 -genkey -noout -out rekor-signer.pem");
  }
  const publicKey = createPublicKey(key);
  const publicKeyPem = publicKey.export({ format: "pem", type: "spki" }).toString();
  const keyHint = createHash("sha256").update(publicKey.export({ format: "der", type: "spki" })).digest("hex");
  return {
    publicKeyPem,
    keyHint,
    sign: async (data) => ({ signature: sign("sha256", data, key), key: { $case: "publicKey", publicKey: publicKeyPem, hint: keyHint } }),
  };
}
