import { canonicalJson } from "./canonicalJson.js";

/** Domain separation: no other IngotForge signature signs a message with this domain. */
export const PROOF_METADATA_DOMAIN = "ingotforge/gateway-proof/v1";

/**
 * The bytes the metadata signature (`signature.metadata_value`) covers: the UTF-8 canonical JSON
 * of `{"domain": "ingotforge/gateway-proof/v1", "proof": <the proof without signature.value and
 * signature.metadata_value and without `witness`>}`. Every other field is covered, including any
 * field a later party adds, so the metadata signature fails on anything added or changed after
 * signing. `witness` (the batch's inclusion path, RFC 3161 token and anchor) is added after
 * signing and checks itself: its path leads from the signed chain hash to a root the TSA signed.
 *
 * @throws CanonicalJsonError when the proof holds something canonical JSON cannot write.
 */
export function proofMetadataMessage(proof: Record<string, unknown>): Uint8Array {
  const { signature, witness: _witness, ...rest } = proof;
  const unsigned: Record<string, unknown> = { ...rest };
  if (signature !== undefined) {
    if (signature !== null && typeof signature === "object" && !Array.isArray(signature)) {
      const { value: _value, metadata_value: _metadata, ...keep } = signature as Record<string, unknown>;
      unsigned.signature = keep;
    } else {
      unsigned.signature = signature;
    }
  }
  return new TextEncoder().encode(canonicalJson({ domain: PROOF_METADATA_DOMAIN, proof: unsigned }));
}
