// Conformance: the nine ArkForge proof-spec v2.1.0 vectors (ark-forge/proof-spec @ 7c6e490, CC BY 4.0).
// Vectors 1–7 use the legacy concatenation chain hash, 8–9 the canonical-JSON one.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519 } from "@noble/curves/ed25519";
import { describe, expect, it } from "vitest";
import { buyerFingerprint } from "../../../gateway/src/proof/buyerFingerprint.js";
import { canonicalJson } from "../../../gateway/src/proof/canonicalJson.js";
import { chainFormulaForVersion } from "../../../gateway/src/proof/chainFormulaForVersion.js";
import { chainHashInput } from "../../../gateway/src/proof/chainHashInput.js";
import { computeChainHash } from "../../../gateway/src/proof/computeChainHash.js";
import { hashRequest } from "../../../gateway/src/proof/hashRequest.js";
import { hashResponse } from "../../../gateway/src/proof/hashResponse.js";
import { sha256Hex } from "../../../gateway/src/proof/sha256Hex.js";
import type { ChainFields, ChainFormula } from "../../../gateway/src/proof/types.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
// A copy of the shared conformance file, kept in the repo so a clean checkout tests against it.
const CANDIDATES = [join(ROOT, "test/vectors/arkforge-proof-spec/test-vectors.json")];
const VECTOR_FILE = CANDIDATES.find((path) => existsSync(path));
if (VECTOR_FILE === undefined) {
  throw new Error(`ArkForge test-vectors.json not found; looked in ${CANDIDATES.join(", ")}. Conformance cannot be skipped: put the vector file at test/vectors/arkforge-proof-spec/.`);
}

interface Vector {
  name: string;
  spec_version?: string;
  algorithm?: string;
  input: {
    request: unknown;
    response: unknown;
    payment_intent_id: string;
    timestamp: string;
    api_key: string;
    seller: string;
    upstream_timestamp?: string;
    receipt_content_hash?: string;
  };
  expected: {
    canonical_request: string;
    canonical_response: string;
    request_hash: string;
    response_hash: string;
    buyer_fingerprint: string;
    chain_hash: string;
    canonical_chain_data?: string;
  };
}
const file = JSON.parse(readFileSync(VECTOR_FILE, "utf8")) as { vectors: Vector[] };
const vectors = file.vectors;

function formulaOf(v: Vector): ChainFormula {
  const formula = chainFormulaForVersion(v.spec_version);
  if (formula === undefined) throw new Error(`vector ${v.name}: unknown spec_version ${v.spec_version}`);
  return formula;
}

function fieldsOf(v: Vector): ChainFields {
  return {
    request_hash: hashRequest(v.input.request),
    response_hash: hashResponse(v.input.response),
    transaction_id: v.input.payment_intent_id,
    timestamp: v.input.timestamp,
    buyer_fingerprint: buyerFingerprint(v.input.api_key),
    seller: v.input.seller,
    upstream_timestamp: v.input.upstream_timestamp,
    receipt_content_hash: v.input.receipt_content_hash,
  };
}

/** The vector as a proof in the spec's JSON layout (section 1), the way an ArkForge issuer writes it. */
function specProofOf(v: Vector, receiptField: "provider_payment" | "payment_evidence" = "provider_payment"): Record<string, unknown> {
  const proof: Record<string, unknown> = {
    proof_id: `prf_vector_${v.name}`,
    timestamp: v.input.timestamp,
    hashes: { request: `sha256:${v.expected.request_hash}`, response: `sha256:${v.expected.response_hash}`, chain: `sha256:${v.expected.chain_hash}` },
    parties: { buyer_fingerprint: v.expected.buyer_fingerprint, seller: v.input.seller },
    payment: { provider: "stripe", transaction_id: v.input.payment_intent_id, amount: 0.5, currency: "eur", status: "succeeded" },
  };
  if (v.spec_version !== undefined) proof.spec_version = v.spec_version;
  if (v.input.upstream_timestamp !== undefined) proof.upstream_timestamp = v.input.upstream_timestamp;
  if (v.input.receipt_content_hash !== undefined) proof[receiptField] = { type: "stripe", receipt_content_hash: `sha256:${v.input.receipt_content_hash}` };
  return proof;
}

describe("ArkForge proof-spec v2.1 conformance vectors", () => {
  it("the vector file holds the nine vectors: seven legacy, two canonical-JSON", () => {
    expect(vectors).toHaveLength(9);
    expect(vectors.map(formulaOf)).toEqual([...Array(7).fill("legacy"), "canonical-json", "canonical-json"]);
  });

  describe.each(vectors.map((v, i) => [`${i + 1} ${v.name}`, v] as const))("vector %s", (_label, v) => {
    it("canonicalJson writes the request and response byte for byte as the vector's canonical forms", () => {
      expect(canonicalJson(v.input.request)).toBe(v.expected.canonical_request);
      expect(canonicalJson(v.input.response)).toBe(v.expected.canonical_response);
    });

    it("hashRequest / hashResponse / buyerFingerprint give the vector's hashes", () => {
      expect(hashRequest(v.input.request)).toBe(v.expected.request_hash);
      expect(hashResponse(v.input.response)).toBe(v.expected.response_hash);
      expect(sha256Hex(v.expected.canonical_request)).toBe(v.expected.request_hash);
      expect(buyerFingerprint(v.input.api_key)).toBe(v.expected.buyer_fingerprint);
    });

    it("computeChainHash with the formula its spec_version selects gives the vector's chain hash", () => {
      expect(computeChainHash(fieldsOf(v), formulaOf(v))).toBe(v.expected.chain_hash);
    });

    it("the other formula gives a different chain hash (the version really selects the algorithm)", () => {
      const other: ChainFormula = formulaOf(v) === "legacy" ? "canonical-json" : "legacy";
      expect(computeChainHash(fieldsOf(v), other)).not.toBe(v.expected.chain_hash);
    });

    if (v.expected.canonical_chain_data !== undefined) {
      it("chainHashInput is the vector's canonical_chain_data byte for byte", () => {
        expect(chainHashInput(fieldsOf(v), "canonical-json")).toBe(v.expected.canonical_chain_data);
      });
    }

    it("verifyProof accepts the vector as a spec-layout proof, with the vector's request, response and API key", () => {
      const result = verifyProof(specProofOf(v), { request: v.input.request, response: v.input.response, apiKey: v.input.api_key, requireSignature: false });
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      expect(result.formula).toBe(formulaOf(v));
      expect(result.checks.chain_hash.status).toBe("pass");
      expect(result.checks.request_hash.status).toBe("pass");
      expect(result.checks.response_hash.status).toBe("pass");
      expect(result.checks.buyer_fingerprint.status).toBe("pass");
      expect(result.checks.signature.status).toBe("skip");
    });
  });

  it("the optional chain fields each change the chain hash (vectors 4, 6, 7 against 1; 9 against 8)", () => {
    const byName = new Map(vectors.map((v) => [v.name, v.expected.chain_hash]));
    const legacy = ["minimal_transaction", "with_upstream_timestamp", "with_receipt_content_hash", "with_upstream_and_receipt"].map((n) => byName.get(n));
    expect(new Set(legacy).size).toBe(4);
    expect(byName.get("canonical_json_v1_2")).not.toBe(byName.get("canonical_json_v2_1_upstream_and_receipt"));
    expect(byName.get("canonical_json_v1_2")).not.toBe(byName.get("minimal_transaction"));
  });

  it("spec 2.0's payment_evidence.receipt_content_hash is read like spec 2.1's provider_payment one", () => {
    const v = vectors.find((x) => x.name === "with_receipt_content_hash")!;
    expect(verifyProof(specProofOf(v, "payment_evidence"), { requireSignature: false }).checks.chain_hash.status).toBe("pass");
    const dropped = specProofOf(v);
    delete dropped.provider_payment;
    expect(verifyProof(dropped, { requireSignature: false }).checks.chain_hash.status).toBe("fail");
  });

  it("an ArkForge-style signature (arkforge_signature over the chain hex, ed25519:base64url) verifies, and fails on another chain hash", () => {
    const seed = new Uint8Array(32).fill(42);
    const pub = ed25519.getPublicKey(seed);
    for (const v of vectors) {
      const proof = specProofOf(v);
      proof.arkforge_signature = `ed25519:${Buffer.from(ed25519.sign(new TextEncoder().encode(v.expected.chain_hash), seed)).toString("base64url")}`;
      proof.arkforge_pubkey = `ed25519:${Buffer.from(pub).toString("base64url")}`;
      expect((proof.arkforge_signature as string).length).toBe("ed25519:".length + 86);
      const ok = verifyProof(proof, { publicKey: pub });
      expect(ok.errors).toEqual([]);
      expect(ok.checks.signature.status).toBe("pass");
      expect(ok.checks.public_key.status).toBe("pass");
      expect(ok.checks.metadata_signature.status).toBe("skip");

      const other = vectors.find((x) => x.expected.chain_hash !== v.expected.chain_hash)!;
      const resigned = { ...proof, hashes: { ...(proof.hashes as object), chain: `sha256:${other.expected.chain_hash}` } };
      const bad = verifyProof(resigned, { publicKey: pub });
      expect(bad.checks.chain_hash.status).toBe("fail");
      expect(bad.checks.signature.status).toBe("fail");
    }
  });
});
