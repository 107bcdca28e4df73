import { verifyProof, type VerifyProofReturnType } from "../../../gateway/src/proof/verifyProof.js";

/** Where the key a proof was checked against came from, as the page labels it. */
export type ProofKeySource =
  | { kind: "registry"; registry: string; valid: boolean; simulated: boolean }
  | { kind: "attestation"; attestationKind: string; simulated: boolean }
  | { kind: "none" };

export interface AnswerProofVerdict extends VerifyProofReturnType {
  /** The key the signature was pinned to (64 hex), when one was trusted. */
  pinnedKey?: string;
  keySource: ProofKeySource;
}

/**
 * Check one playground answer's proof in the browser with the gateway's own verifier: the chain
 * hash recomputed from the fields, the Ed25519 signature (noble) over it and over the unchained
 * metadata, the request and response hashes against what the page sent and received, the API
 * key's fingerprint, and the signer pinned to `trustedKey` (from ProofKeyRegistry on chain, or the
 * gateway's attestation). A registry that does not hold the key as valid fails the verdict.
 */
export function verifyAnswerProof(p: { proof: unknown; request: unknown; response: unknown; apiKey: string; trustedKey?: string; keySource: ProofKeySource }): AnswerProofVerdict {
  const verdict = verifyProof(p.proof, { request: p.request, response: p.response, apiKey: p.apiKey, ...(p.trustedKey ? { publicKey: p.trustedKey.replace(/^0x/, "") } : {}) });
  const errors = [...verdict.errors];
  if (p.keySource.kind === "registry" && !p.keySource.valid) errors.push(`registry: the signing key is not valid in ProofKeyRegistry ${p.keySource.registry}`);
  return { ...verdict, valid: errors.length === 0, errors, keySource: p.keySource, ...(p.trustedKey ? { pinnedKey: p.trustedKey.replace(/^0x/, "") } : {}) };
}
