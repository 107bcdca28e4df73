import { zeroAddress } from "viem";
import { buildProof } from "../proof/buildProof.js";
import type { ProofSigner } from "../proof/types.js";
import type { ProofIssuer } from "./types.js";

export interface CreateProofIssuerParameters {
  /** The gateway's Ed25519 signer (`createProofSigner(seed)`). */
  signer: ProofSigner;
  /** The gateway's public host name (`parties.seller`). */
  seller: string;
}

/**
 * Per-call proofs with gateway/src/proof's `buildProof`: the request and response hashed, the
 * charge id as the transaction id, the caller's key fingerprint, the Ingot and its adapter root;
 * payment `{ provider: "gateway_deposits", currency: "eth" | <token>, status: "charged" | "partial" }`,
 * and the tokens charged as `usage`.
 */
export function createProofIssuer({ signer, seller }: CreateProofIssuerParameters): ProofIssuer {
  return {
    issue({ request, response, responseCanonicalJson, caller, charge, ingot, timestamp, proofId, status = "charged", usage }) {
      return buildProof({
        request,
        response,
        ...(responseCanonicalJson !== undefined ? { responseCanonicalJson } : {}),
        buyerFingerprint: caller.fingerprint,
        seller,
        timestamp,
        payment: {
          provider: "gateway_deposits",
          transaction_id: charge.chargeId,
          amount: charge.amount,
          currency: charge.asset.toLowerCase() === zeroAddress ? "eth" : charge.asset.toLowerCase(),
          status,
        },
        ingot: { id: ingot.ingotId, model: ingot.model, adapter_root: ingot.adapterRoot },
        signer,
        ...(usage ? { usage } : {}),
        ...(proofId ? { proofId } : {}),
      });
    },
  };
}
