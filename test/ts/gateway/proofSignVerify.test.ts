import { ed25519 } from "@noble/curves/ed25519";
import { hexToBytes } from "@noble/hashes/utils";
import { describe, expect, it } from "vitest";
import { buildProof, type BuildProofParameters } from "../../../gateway/src/proof/buildProof.js";
import { buyerFingerprint } from "../../../gateway/src/proof/buyerFingerprint.js";
import { canonicalJson } from "../../../gateway/src/proof/canonicalJson.js";
import { computeChainHash } from "../../../gateway/src/proof/computeChainHash.js";
import { createProofSigner } from "../../../gateway/src/proof/createProofSigner.js";
import { ProofInputError, ProofKeyError } from "../../../gateway/src/proof/errors.js";
import { hashRequest } from "../../../gateway/src/proof/hashRequest.js";
import { hashResponse } from "../../../gateway/src/proof/hashResponse.js";
import { proofMetadataMessage } from "../../../gateway/src/proof/proofMetadataMessage.js";
import type { ProofCheckName } from "../../../gateway/src/proof/types.js";
import { verifyProof } from "../../../gateway/src/proof/verifyProof.js";

const SEED = new Uint8Array(32).map((_, i) => i + 1);
const OTHER_SEED = new Uint8Array(32).fill(9);
const signer = createProofSigner(SEED);
const API_KEY = "ifk_live_7f3a_example";
const REQUEST = { model: "ingot-12", messages: [{ role: "user", content: "Écris une fonction qui trie 😀" }], max_tokens: 64, temperature: 0.7 };
const RESPONSE = {
  id: "chatcmpl-abc",
  object: "chat.completion",
  created: 1_764_756_000,
  model: "ingot-12",
  choices: [{ index: 0, message: { role: "assistant", content: "def trie(x):\n    return sorted(x)" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 14, completion_tokens: 11, total_tokens: 25 },
};
const PARAMS: BuildProofParameters = {
  request: REQUEST,
  response: RESPONSE,
  apiKey: API_KEY,
  seller: "gateway.ingotforge.test",
  timestamp: "2026-12-03T10:15:42Z",
  payment: { provider: "gateway_deposits", transaction_id: "chg_01HZX", amount: 12_500_000_000_000n, currency: "eth", status: "charged" },
  ingot: { id: 12n, model: "ingot-12", adapter_root: `0x${"5a".repeat(32)}` },
  signer,
};
const proof = buildProof(PARAMS);
const OTHER_HEX = "ab".repeat(32);

/** A deep copy with one change. */
function tampered(change: (p: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(proof));
  change(copy);
  return copy;
}

function failedChecks(result: ReturnType<typeof verifyProof>): ProofCheckName[] {
  return (Object.entries(result.checks) as [ProofCheckName, { status: string }][]).filter(([, c]) => c.status === "fail").map(([name]) => name);
}

describe("buildProof", () => {
  it("writes the ArkForge v2.1 layout: sha256:-prefixed hashes, bare-hex fingerprint, spec 2.1, the Ingot and an Ed25519 signature object", () => {
    expect(proof.spec_version).toBe("2.1");
    expect(proof.timestamp).toBe("2026-12-03T10:15:42Z");
    expect(proof.hashes.request).toBe(`sha256:${hashRequest(REQUEST)}`);
    expect(proof.hashes.response).toBe(`sha256:${hashResponse(RESPONSE)}`);
    expect(proof.parties).toEqual({ buyer_fingerprint: buyerFingerprint(API_KEY), seller: "gateway.ingotforge.test" });
    expect(proof.payment).toEqual({ provider: "gateway_deposits", transaction_id: "chg_01HZX", amount: "12500000000000", currency: "eth", status: "charged" });
    expect(proof.ingot).toEqual({ id: "12", model: "ingot-12", adapter_root: `0x${"5a".repeat(32)}` });
    expect(proof.signature.algorithm).toBe("Ed25519");
    expect(proof.signature.public_key).toBe(signer.publicKeyHex);
    expect(proof.signature.value).toMatch(/^[0-9a-f]{128}$/);
    expect(proof.signature.metadata_value).toMatch(/^[0-9a-f]{128}$/);
  });

  it("chains with the canonical-JSON formula over bare hex hashes and payment.transaction_id", () => {
    const expected = computeChainHash(
      {
        request_hash: hashRequest(REQUEST),
        response_hash: hashResponse(RESPONSE),
        transaction_id: "chg_01HZX",
        timestamp: "2026-12-03T10:15:42Z",
        buyer_fingerprint: buyerFingerprint(API_KEY),
        seller: "gateway.ingotforge.test",
      },
      "canonical-json",
    );
    expect(proof.hashes.chain).toBe(`sha256:${expected}`);
  });

  it("signs the UTF-8 bytes of the chain hash's 64 hex digits (ArkForge §6), checked with noble directly", () => {
    const chainHex = proof.hashes.chain.slice("sha256:".length);
    const message = new TextEncoder().encode(chainHex);
    expect(message.length).toBe(64);
    expect(ed25519.verify(hexToBytes(proof.signature.value), message, hexToBytes(proof.signature.public_key), { zip215: false })).toBe(true);
    expect(ed25519.verify(hexToBytes(proof.signature.value), hexToBytes(chainHex), hexToBytes(proof.signature.public_key))).toBe(false);
  });

  it("signs as metadata the domain-tagged canonical JSON of the proof without the two signature values", () => {
    const { value: _v, metadata_value: _m, ...keptSignature } = proof.signature;
    const expected = canonicalJson({ domain: "ingotforge/gateway-proof/v1", proof: { ...proof, signature: keptSignature } });
    expect(new TextDecoder().decode(proofMetadataMessage(proof as unknown as Record<string, unknown>))).toBe(expected);
    expect(expected).not.toContain(proof.signature.value);
    expect(ed25519.verify(hexToBytes(proof.signature.metadata_value), new TextEncoder().encode(expected), hexToBytes(signer.publicKeyHex))).toBe(true);
  });

  it("is deterministic: the same call gives the same proof, and its id is derived from time and chain hash", () => {
    expect(buildProof(PARAMS)).toEqual(proof);
    expect(proof.proof_id).toBe(`prf_20261203_101542_${proof.hashes.chain.slice(7, 19)}`);
    expect(buildProof({ ...PARAMS, proofId: "prf_custom_1" }).proof_id).toBe("prf_custom_1");
  });

  it("takes the ledger's fingerprint instead of the key, and a Date truncated to whole seconds", () => {
    const fromFingerprint = buildProof({ ...PARAMS, apiKey: undefined, buyerFingerprint: buyerFingerprint(API_KEY), timestamp: new Date("2026-12-03T10:15:42.987Z") });
    expect(fromFingerprint).toEqual(proof);
  });

  it.each<[string, Partial<BuildProofParameters>, string]>([
    ["a timestamp with milliseconds", { timestamp: "2026-12-03T10:15:42.000Z" }, "timestamp"],
    ["a timestamp with an offset", { timestamp: "2026-12-03T10:15:42+00:00" }, "timestamp"],
    ["a date that does not exist", { timestamp: "2026-02-30T10:15:42Z" }, "timestamp"],
    ["a month that does not exist", { timestamp: "2026-13-01T10:15:42Z" }, "timestamp"],
    ["a time that does not exist", { timestamp: "2026-12-03T25:15:42Z" }, "timestamp"],
    ["an invalid Date", { timestamp: new Date("nope") }, "timestamp"],
    ["neither key nor fingerprint", { apiKey: undefined }, "parties.buyer_fingerprint"],
    ["a fingerprint that is not the key's", { buyerFingerprint: OTHER_HEX }, "parties.buyer_fingerprint"],
    ["an uppercase fingerprint", { apiKey: undefined, buyerFingerprint: "AB".repeat(32) }, "parties.buyer_fingerprint"],
    ["an empty API key", { apiKey: "" }, "apiKey"],
    ["an empty seller", { seller: "" }, "parties.seller"],
    ["a negative amount", { payment: { ...PARAMS.payment, amount: -1n } }, "payment.amount"],
    ["a fractional amount", { payment: { ...PARAMS.payment, amount: "1.5" } }, "payment.amount"],
    ["a number amount", { payment: { ...PARAMS.payment, amount: 5 as unknown as bigint } }, "payment.amount"],
    ["an empty transaction id", { payment: { ...PARAMS.payment, transaction_id: "" } }, "payment.transaction_id"],
    ["a short adapter root", { ingot: { ...PARAMS.ingot, adapter_root: "0x1234" } }, "ingot.adapter_root"],
    ["a negative Ingot id", { ingot: { ...PARAMS.ingot, id: -1n } }, "ingot.id"],
    ["a proof id with a slash", { proofId: "prf_a/b" }, "proof_id"],
  ])("refuses %s with a ProofInputError naming the field", (_name, change, field) => {
    try {
      buildProof({ ...PARAMS, ...change });
      expect.fail("buildProof accepted it");
    } catch (error) {
      expect(error).toBeInstanceOf(ProofInputError);
      expect((error as ProofInputError).field).toBe(field);
    }
  });
});

describe("createProofSigner", () => {
  it("derives the RFC 8032 public key and refuses keys that are not 32-byte seeds", () => {
    expect(signer.publicKeyHex).toBe(Buffer.from(ed25519.getPublicKey(SEED)).toString("hex"));
    expect(() => createProofSigner(new Uint8Array(31))).toThrow(ProofKeyError);
    expect(() => createProofSigner(new Uint8Array(64))).toThrow(ProofKeyError);
  });

  it("signs only a bare lowercase chain hash", () => {
    expect(() => signer.sign(proof.hashes.chain)).toThrow(ProofInputError);
    expect(() => signer.sign(proof.hashes.chain.slice(7).toUpperCase())).toThrow(ProofInputError);
  });

  it("does not keep a reference to the caller's key buffer", () => {
    const seed = Uint8Array.from(SEED);
    const s = createProofSigner(seed);
    seed.fill(0);
    expect(s.sign(proof.hashes.chain.slice(7))).toBe(proof.signature.value);
  });
});

describe("verifyProof", () => {
  it("accepts the untouched proof with every check that has its input passing", () => {
    const result = verifyProof(proof, { publicKey: signer.publicKeyHex, request: REQUEST, response: RESPONSE, apiKey: API_KEY, proofId: proof.proof_id });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.formula).toBe("canonical-json");
    expect(Object.values(result.checks).every((c) => c.status === "pass")).toBe(true);
    expect(Object.keys(result.checks)).toEqual([
      "format", "spec_version", "chain_hash", "signature", "public_key", "metadata_signature", "proof_id", "request_hash", "response_hash", "buyer_fingerprint", "ingot_model",
    ]);
  });

  it("accepts the proof after a JSON round trip with its keys in any order", () => {
    const reordered = JSON.parse(canonicalJson(proof));
    expect(verifyProof(reordered, { publicKey: signer.publicKeyHex }).valid).toBe(true);
  });

  it.each<[string, (p: any) => void, ProofCheckName[]]>([
    ["hashes.request", (p) => (p.hashes.request = `sha256:${OTHER_HEX}`), ["chain_hash", "metadata_signature"]],
    ["hashes.response", (p) => (p.hashes.response = `sha256:${OTHER_HEX}`), ["chain_hash", "metadata_signature"]],
    ["hashes.chain", (p) => (p.hashes.chain = `sha256:${OTHER_HEX}`), ["chain_hash", "signature", "metadata_signature"]],
    ["timestamp", (p) => (p.timestamp = "2026-12-03T10:15:43Z"), ["chain_hash", "metadata_signature"]],
    ["parties.buyer_fingerprint", (p) => (p.parties.buyer_fingerprint = OTHER_HEX), ["chain_hash", "metadata_signature"]],
    ["parties.seller", (p) => (p.parties.seller = "evil.example"), ["chain_hash", "metadata_signature"]],
    ["payment.transaction_id", (p) => (p.payment.transaction_id = "chg_other"), ["chain_hash", "metadata_signature"]],
    ["payment.amount", (p) => (p.payment.amount = "1"), ["metadata_signature"]],
    ["payment.currency", (p) => (p.payment.currency = "usdc"), ["metadata_signature"]],
    ["payment.status", (p) => (p.payment.status = "refunded"), ["metadata_signature"]],
    ["payment.provider", (p) => (p.payment.provider = "stripe"), ["metadata_signature"]],
    ["proof_id", (p) => (p.proof_id = "prf_other"), ["metadata_signature"]],
    ["ingot.id", (p) => (p.ingot.id = "13"), ["metadata_signature"]],
    ["ingot.model", (p) => (p.ingot.model = "ingot-13"), ["metadata_signature"]],
    ["ingot.adapter_root", (p) => (p.ingot.adapter_root = `0x${OTHER_HEX}`), ["metadata_signature"]],
    ["spec_version to legacy 1.1", (p) => (p.spec_version = "1.1"), ["chain_hash", "metadata_signature"]],
    ["spec_version to an unknown 3.0", (p) => (p.spec_version = "3.0"), ["spec_version", "metadata_signature"]],
    ["signature.value", (p) => (p.signature.value = `${p.signature.value.slice(0, -2)}${p.signature.value.endsWith("00") ? "01" : "00"}`), ["signature"]],
    ["signature.metadata_value", (p) => (p.signature.metadata_value = `${p.signature.metadata_value.slice(0, -2)}${p.signature.metadata_value.endsWith("00") ? "01" : "00"}`), ["metadata_signature"]],
    ["signature.public_key", (p) => (p.signature.public_key = createProofSigner(OTHER_SEED).publicKeyHex), ["signature", "metadata_signature"]],
    ["an added upstream_timestamp", (p) => (p.upstream_timestamp = "Thu, 03 Dec 2026 10:15:42 GMT"), ["chain_hash", "metadata_signature"]],
    ["an added unchained field", (p) => (p.note = "refund issued"), ["metadata_signature"]],
    ["a removed metadata signature", (p) => delete p.signature.metadata_value, ["metadata_signature"]],
  ])("fails when %s is changed, naming exactly the checks it breaks", (_field, change, expected) => {
    const result = verifyProof(tampered(change));
    expect(result.valid).toBe(false);
    expect(failedChecks(result)).toEqual(expected);
    expect(result.errors.map((e) => e.split(":")[0])).toEqual(expected);
  });

  it("refuses a malleated signature (S + L, the same point with a non-canonical scalar): verification is strict", () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const sig = hexToBytes(proof.signature.value);
    const s = BigInt(`0x${Buffer.from(sig.slice(32)).reverse().toString("hex")}`) + L;
    const sBytes = Buffer.from(s.toString(16).padStart(64, "0"), "hex").reverse();
    const malleated = `${proof.signature.value.slice(0, 64)}${sBytes.toString("hex")}`;
    expect(malleated).not.toBe(proof.signature.value);
    expect(failedChecks(verifyProof(tampered((p) => (p.signature.value = malleated))))).toEqual(["signature"]);
  });

  it("fails a forger who changes a chained field and recomputes the chain hash: the signatures do not follow", () => {
    const forged = tampered((p) => {
      p.parties.seller = "evil.example";
      p.hashes.chain = `sha256:${computeChainHash(
        { request_hash: p.hashes.request.slice(7), response_hash: p.hashes.response.slice(7), transaction_id: p.payment.transaction_id, timestamp: p.timestamp, buyer_fingerprint: p.parties.buyer_fingerprint, seller: p.parties.seller },
        "canonical-json",
      )}`;
    });
    expect(failedChecks(verifyProof(forged))).toEqual(["signature", "metadata_signature"]);
  });

  it("fails a proof re-signed end to end by another key only when the gateway's key is pinned", () => {
    const impostor = buildProof({ ...PARAMS, signer: createProofSigner(OTHER_SEED) });
    expect(verifyProof(impostor).valid).toBe(true);
    const pinned = verifyProof(impostor, { publicKey: signer.publicKeyHex });
    expect(failedChecks(pinned)).toEqual(["public_key"]);
    expect(verifyProof(proof, { publicKey: hexToBytes(signer.publicKeyHex) }).checks.public_key.status).toBe("pass");
    expect(failedChecks(verifyProof(proof, { publicKey: "not-a-key" }))).toEqual(["public_key"]);
  });

  it.each<[string, Parameters<typeof verifyProof>[1], ProofCheckName]>([
    ["another request", { request: { ...REQUEST, max_tokens: 65 } }, "request_hash"],
    ["another response", { response: { ...RESPONSE, choices: [] } }, "response_hash"],
    ["another API key", { apiKey: `${API_KEY}x` }, "buyer_fingerprint"],
    ["another proof id", { proofId: "prf_something_else" }, "proof_id"],
    ["a request for another model", { request: { ...REQUEST, model: "ingot-13" } }, "ingot_model"],
  ])("fails %s than the proof's, naming that check", (_name, options, name) => {
    const result = verifyProof(proof, options);
    expect(failedChecks(result)).toContain(name);
    expect(result.checks[name].status).toBe("fail");
  });

  it("fails, without throwing, a request it cannot hash", () => {
    const result = verifyProof(proof, { request: { model: "ingot-12", n: Number.NaN } });
    expect(result.checks.request_hash.status).toBe("fail");
    expect(result.checks.request_hash.detail).toMatch(/cannot hash/);
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["a string", "prf_1"],
    ["an array", [proof]],
    ["an empty object", {}],
    ["a proof without hashes", tampered((p) => delete p.hashes)],
    ["uppercase hex", tampered((p) => (p.hashes.chain = p.hashes.chain.toUpperCase().replace("SHA256", "sha256")))],
    ["an unprefixed hash", tampered((p) => (p.hashes.request = p.hashes.request.slice(7)))],
    ["another signature algorithm", tampered((p) => (p.signature.algorithm = "ECDSA"))],
    ["receipt hashes that disagree", tampered((p) => ((p.provider_payment = { receipt_content_hash: `sha256:${OTHER_HEX}` }), (p.payment_evidence = { receipt_content_hash: `sha256:${"cd".repeat(32)}` })))],
  ])("reports %s as malformed (format fails, the rest skipped) and never throws", (_name, input) => {
    const result = verifyProof(input);
    expect(result.valid).toBe(false);
    expect(failedChecks(result)).toEqual(["format"]);
    expect(Object.entries(result.checks).filter(([n]) => n !== "format").every(([, c]) => c.status === "skip")).toBe(true);
  });

  it("fails an unsigned proof unless signatures are explicitly not required", () => {
    const unsigned = tampered((p) => {
      delete p.signature;
      delete p.ingot;
    });
    expect(failedChecks(verifyProof(unsigned))).toEqual(["signature"]);
    expect(verifyProof(unsigned, { requireSignature: false }).valid).toBe(true);
    expect(failedChecks(verifyProof(unsigned, { publicKey: signer.publicKeyHex, requireSignature: false }))).toEqual(["public_key"]);
  });

  it("verifies a legacy (spec 2.0) proof by the concatenation formula when its version says so", () => {
    const fields = {
      request_hash: hashRequest(REQUEST),
      response_hash: hashResponse(RESPONSE),
      transaction_id: "chg_01HZX",
      timestamp: proof.timestamp,
      buyer_fingerprint: proof.parties.buyer_fingerprint,
      seller: proof.parties.seller,
      upstream_timestamp: "Thu, 03 Dec 2026 10:15:42 GMT",
    };
    const chain = computeChainHash(fields, "legacy");
    const legacy: Record<string, unknown> = {
      proof_id: "prf_legacy",
      spec_version: "2.0",
      timestamp: proof.timestamp,
      upstream_timestamp: fields.upstream_timestamp,
      hashes: { request: proof.hashes.request, response: proof.hashes.response, chain: `sha256:${chain}` },
      parties: proof.parties,
      payment: { provider: "none", transaction_id: "chg_01HZX", amount: 0, currency: "eur", status: "free_tier" },
      signature: { algorithm: "Ed25519", public_key: signer.publicKeyHex, value: signer.sign(chain) },
    };
    (legacy.signature as Record<string, string>).metadata_value = signer.signBytes(proofMetadataMessage(legacy));
    const ok = verifyProof(legacy, { publicKey: signer.publicKeyHex, request: REQUEST });
    expect(ok.errors).toEqual([]);
    expect(ok.formula).toBe("legacy");
    const relabelled = verifyProof({ ...legacy, spec_version: "2.1" });
    expect(relabelled.checks.chain_hash.status).toBe("fail");
  });
});
